//! OSV (<https://ossf.github.io/osv-schema/>), JSON or YAML: one record, an array of records,
//! or an osv.dev `{"vulns": [...]}` dump. GHSA records come in this form too.

use serde::Deserialize;
use serde_json::{Map, Value};
use vexlake_udfs::kernels::purl::Purl;

use super::{Affected, Event, Observation, Range, Record, Severity, raw_json};
use crate::ingest::{canonical_json, parse_time, ts};

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    upstream: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    severity: Option<Vec<OsvSeverity>>,
    affected: Option<Vec<OsvAffected>>,
    references: Option<Vec<OsvReference>>,
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    ty: String,
    score: String,
}

#[derive(Deserialize)]
struct OsvReference {
    url: Option<String>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: Option<String>,
    name: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    ranges: Option<Vec<OsvRange>>,
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    ty: String,
    events: Option<Vec<Map<String, Value>>>,
}

fn time(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(parse_time).map(ts)
}

fn event(map: &Map<String, Value>) -> Event {
    let get = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    Event {
        introduced: get("introduced"),
        fixed: get("fixed"),
        last_affected: get("last_affected"),
        limit: get("limit"),
    }
}

/// CWE ids as GHSA records carry them (`database_specific.cwe_ids`).
fn cwes(database_specific: &Option<Value>) -> Vec<String> {
    database_specific
        .as_ref()
        .and_then(|d| d.get("cwe_ids"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect()
}

pub(super) fn record(value: Value, raw: Vec<u8>, format: &'static str) -> Result<Record, String> {
    let canonical = canonical_json(&value);
    let r: OsvRecord =
        serde_json::from_value(value).map_err(|e| format!("invalid OSV record: {e}"))?;
    if r.id.trim().is_empty() {
        return Err("invalid OSV record: empty id".into());
    }
    let affected = r
        .affected
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            let (ecosystem, name, purl) = match a.package {
                Some(p) => (p.ecosystem, p.name, p.purl),
                None => (None, None, None),
            };
            let package_key = match (&ecosystem, &name) {
                (Some(e), Some(n)) => Purl::from_osv(e, n).map(|p| p.package_key()),
                _ => None,
            }
            .or_else(|| {
                purl.as_deref()
                    .and_then(Purl::parse)
                    .map(|p| p.package_key())
            });
            Affected {
                ecosystem,
                package_name: name,
                package_key,
                purl,
                ranges: a
                    .ranges
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| Range {
                        ty: r.ty,
                        events: r.events.unwrap_or_default().iter().map(event).collect(),
                    })
                    .collect(),
                versions: a.versions.unwrap_or_default(),
                ..Affected::new("affected")
            }
        })
        .collect();
    let database_severity = r
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Record {
        advisory_id: r.id,
        canonical,
        raw,
        format,
        observation: Observation {
            aliases: r.aliases.unwrap_or_default(),
            upstream: r.upstream.unwrap_or_default(),
            summary: r.summary,
            details: r.details,
            severities: r
                .severity
                .unwrap_or_default()
                .into_iter()
                .map(|s| Severity {
                    system: s.ty,
                    vector: s.score,
                    score: None,
                })
                .collect(),
            database_severity,
            references: r
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.url)
                .collect(),
            cwes: cwes(&r.database_specific),
            published: time(&r.published),
            modified: time(&r.modified),
            withdrawn: time(&r.withdrawn),
        },
        affected,
    })
}

/// The records of one OSV document, parsed as `value` from `bytes`.
pub fn records(value: Value, bytes: &[u8]) -> Result<Vec<Record>, String> {
    let json = matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    let format = if json { "osv-json" } else { "osv-yaml" };
    let (list, key) = match value {
        Value::Object(ref m) if m.contains_key("id") => {
            return Ok(vec![record(value, bytes.to_vec(), format)?]);
        }
        Value::Object(mut m) if m.get("vulns").is_some_and(Value::is_array) => {
            match m.remove("vulns") {
                Some(Value::Array(items)) => (items, Some("vulns")),
                _ => (Vec::new(), None),
            }
        }
        Value::Array(items) => (items, None),
        _ => return Err("not an OSV record: no \"id\" field".into()),
    };
    // Each record of a page as the page holds it (JSON); a YAML list's records re-serialized.
    let raws = json.then(|| raw_json::array_items(bytes, key)).flatten();
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let raw = match raws.as_ref().and_then(|r| r.get(i)) {
                Some(r) => r.to_vec(),
                None => serde_json::to_vec(&v).unwrap_or_default(),
            };
            record(v, raw, format).map_err(|e| format!("record {i}: {e}"))
        })
        .collect()
}
