//! Runtime signals: what was observed loaded (or not) in a running image, as JSON Lines.
//!
//! One JSON object a line:
//!
//! ```json
//! {"image_digest": "sha256:<64 hex>", "purl": "pkg:deb/debian/openssl@3.0.11-1", "loaded": true,
//!  "observed_at": "2026-11-01T12:00:00Z", "source": "ebpf-agent"}
//! ```
//!
//! `source` is optional. Each good line becomes one `runtime_signals` row; a bad line is a reject
//! named `file:line` with the reason, and the file's other lines still land. A signal already in
//! the lake (same image, purl, loaded, time) is counted unchanged, not written again. Evaluation
//! takes the newest signal for (image, purl) observed by its `--as-of` clock.

use std::collections::HashSet;
use std::path::PathBuf;

use indicatif::ProgressBar;
use serde::Serialize;
use serde_json::Value;
use vexlake_udfs::kernels::purl::Purl;

use super::{Document, Kind, Reject, Summary, parse_time, sha256_id, ts, write_rejects};
use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};

#[derive(Serialize, Debug, PartialEq)]
struct SignalRow {
    tenant: String,
    signal_id: String,
    image_digest: String,
    purl: String,
    loaded: bool,
    observed_at: String,
    source: Option<String>,
}

fn text<'a>(
    o: &'a serde_json::Map<String, Value>,
    key: &str,
) -> std::result::Result<&'a str, String> {
    match o.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(format!("no \"{key}\"")),
        Some(other) => Err(format!("\"{key}\" is not text: {other}")),
    }
}

/// One line as a row, or why not.
fn signal(tenant: &str, line: &str) -> std::result::Result<SignalRow, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("not valid JSON: {e}"))?;
    let o = value
        .as_object()
        .ok_or("not a JSON object (one signal object a line)")?;
    let image_digest = text(o, "image_digest")?;
    let hex = image_digest.strip_prefix("sha256:").unwrap_or("");
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "\"image_digest\" {image_digest:?} is not sha256:<64 hex digits>"
        ));
    }
    let purl = text(o, "purl")?;
    if Purl::parse(purl).is_none() {
        return Err(format!("\"purl\" {purl:?} is not a package URL"));
    }
    let loaded = match o.get("loaded") {
        Some(Value::Bool(b)) => *b,
        None | Some(Value::Null) => return Err("no \"loaded\" (true or false)".into()),
        Some(other) => return Err(format!("\"loaded\" is {other}, not true or false")),
    };
    let at = text(o, "observed_at")?;
    let observed_at =
        parse_time(at).ok_or_else(|| format!("\"observed_at\" {at:?} is not an RFC 3339 time"))?;
    let source = match o.get("source") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(format!("\"source\" is not text: {other}")),
    };
    let image_digest = image_digest.to_ascii_lowercase();
    let observed_at = ts(observed_at);
    let signal_id = sha256_id(
        [
            image_digest.as_str(),
            purl,
            if loaded { "1" } else { "0" },
            &observed_at,
        ]
        .join("\u{1f}")
        .as_bytes(),
    );
    Ok(SignalRow {
        tenant: tenant.to_string(),
        signal_id,
        image_digest,
        purl: purl.to_string(),
        loaded,
        observed_at,
        source,
    })
}

/// The rows of one document, and the rejects of its bad lines.
fn signals(tenant: &str, doc: &Document) -> (Vec<SignalRow>, Vec<Reject>) {
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let text = match std::str::from_utf8(&doc.bytes) {
        Ok(t) => t,
        Err(e) => return (rows, vec![Reject::new(doc, format!("not UTF-8 text: {e}"))]),
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match signal(tenant, line) {
            Ok(row) => rows.push(row),
            Err(reason) => rejects.push(Reject {
                source: format!("{}:{}", doc.source, n + 1),
                reason,
                raw: line.as_bytes().to_vec(),
            }),
        }
    }
    if rows.is_empty() && rejects.is_empty() {
        rejects.push(Reject::new(doc, "no signals: the file is empty"));
    }
    (rows, rejects)
}

/// Ingests the JSON Lines files under `paths` into `runtime_signals`.
pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    progress: &ProgressBar,
) -> Result<Summary> {
    let (docs, rejects, summary) =
        super::begin(lake, paths, &[".jsonl", ".ndjson", ".json"], progress).await?;
    ingest_documents(lake, tenant, &docs, rejects, summary, progress).await
}

/// Ingests JSON Lines documents already read (`begin`'s, or generated ones).
pub(crate) async fn ingest_documents(
    lake: &Lake,
    tenant: &str,
    docs: &[Document],
    mut rejects: Vec<Reject>,
    mut summary: Summary,
    progress: &ProgressBar,
) -> Result<Summary> {
    let mut seen: HashSet<String> =
        super::known(lake, Table::RuntimeSignals, tenant, "signal_id").await?;
    let mut rows = Vec::new();
    for doc in docs {
        progress.inc(1);
        let (found, bad) = signals(tenant, doc);
        if !found.is_empty() {
            summary.landed += 1;
        }
        for row in found {
            if seen.insert(row.signal_id.clone()) {
                rows.push(row);
            } else {
                summary.unchanged += 1;
            }
        }
        rejects.extend(bad);
    }
    if !rows.is_empty() {
        let b = rows_to_batch(Table::RuntimeSignals, &rows, vec![])?;
        lake.append(Table::RuntimeSignals, vec![b]).await?;
    }
    write_rejects(lake, tenant, Kind::Runtime, &rejects).await?;
    summary.rows.push((Table::RuntimeSignals, rows.len()));
    summary.rejects = rejects;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMAGE: &str = "sha256:9b2f1c0e5d7a4b3c8e6f1a2d3c4b5a697887960a5b4c3d2e1f00112233445566";

    #[test]
    fn a_line_becomes_a_row() {
        let line = format!(
            r#"{{"image_digest": "{IMAGE}", "purl": "pkg:npm/a@1", "loaded": false, "observed_at": "2026-11-01T12:00:00+01:00"}}"#
        );
        let row = signal("t", &line).unwrap();
        assert!(!row.loaded);
        assert_eq!(row.observed_at, "2026-11-01T11:00:00.000000Z");
        assert_eq!(row.source, None);
        assert!(row.signal_id.starts_with("sha256:"));
    }

    #[test]
    fn bad_lines_say_why_and_the_others_land() {
        let doc = Document {
            source: "signals.jsonl".into(),
            bytes: format!(
                "{{\"image_digest\": \"{IMAGE}\", \"purl\": \"pkg:npm/a@1\", \"loaded\": true, \"observed_at\": \"2026-11-01T00:00:00Z\"}}\n\
                 \n\
                 {{\"image_digest\": \"sha256:abc\", \"purl\": \"pkg:npm/a@1\", \"loaded\": true, \"observed_at\": \"2026-11-01T00:00:00Z\"}}\n\
                 {{\"image_digest\": \"{IMAGE}\", \"purl\": \"not a purl\", \"loaded\": true, \"observed_at\": \"2026-11-01T00:00:00Z\"}}\n\
                 {{\"image_digest\": \"{IMAGE}\", \"purl\": \"pkg:npm/a@1\", \"loaded\": \"yes\", \"observed_at\": \"2026-11-01T00:00:00Z\"}}\n\
                 {{\"image_digest\": \"{IMAGE}\", \"purl\": \"pkg:npm/a@1\", \"loaded\": true, \"observed_at\": \"soon\"}}\n\
                 [1, 2]\n"
            )
            .into_bytes(),
        };
        let (rows, rejects) = signals("t", &doc);
        assert_eq!(rows.len(), 1);
        let why: Vec<String> = rejects
            .iter()
            .map(|r| format!("{}: {}", r.source, r.reason))
            .collect();
        assert_eq!(
            why,
            [
                "signals.jsonl:3: \"image_digest\" \"sha256:abc\" is not sha256:<64 hex digits>",
                "signals.jsonl:4: \"purl\" \"not a purl\" is not a package URL",
                "signals.jsonl:5: \"loaded\" is \"yes\", not true or false",
                "signals.jsonl:6: \"observed_at\" \"soon\" is not an RFC 3339 time",
                "signals.jsonl:7: not a JSON object (one signal object a line)",
            ]
        );
    }
}
