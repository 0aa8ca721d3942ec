//! Ingestion: documents from files, directories and .zip archives into the lake.
//!
//! A document that cannot be read is reported, stored in `rejects` with its raw bytes, and the
//! rest of the batch lands. Each ingest command commits each table it writes once.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};

pub mod advisory;
pub mod sbom;
pub mod vex;

/// What an ingest command reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sbom,
    Advisory,
    Vex,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Sbom => "sbom",
            Kind::Advisory => "advisory",
            Kind::Vex => "vex",
        })
    }
}

/// One input document: where it came from (a path, or `archive.zip!entry`) and its bytes.
#[derive(Clone, Debug)]
pub struct Document {
    pub source: String,
    pub bytes: Vec<u8>,
}

/// A document that could not be read, and why.
#[derive(Clone, Debug)]
pub struct Reject {
    pub source: String,
    pub reason: String,
    pub raw: Vec<u8>,
}

impl Reject {
    pub fn new(doc: &Document, reason: impl Into<String>) -> Reject {
        Reject {
            source: doc.source.clone(),
            reason: reason.into(),
            raw: doc.bytes.clone(),
        }
    }
}

/// What one ingest command did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Documents read (files and archive entries, not counting skipped ones).
    pub read: usize,
    /// Documents (or advisory records) that landed as new rows.
    pub landed: usize,
    /// Documents (or advisory records) already in the lake with the same content.
    pub unchanged: usize,
    pub rejects: Vec<Reject>,
    /// Files inside directories or archives passed over for their extension.
    pub skipped: Vec<String>,
    /// Rows written, per table.
    pub rows: Vec<(Table, usize)>,
}

impl Summary {
    pub fn rejected(&self) -> usize {
        self.rejects.len()
    }
}

/// The documents named by `paths`: files as they are, directories walked in sorted path order
/// and .zip archives entry by entry. Inside directories and archives only files ending in one
/// of `extensions` are read; the others are listed in `skipped`.
pub fn collect_documents(
    paths: &[PathBuf],
    extensions: &[&str],
) -> (Vec<Document>, Vec<Reject>, Vec<String>) {
    let mut docs = Vec::new();
    let mut rejects = Vec::new();
    let mut skipped = Vec::new();
    let wanted = |p: &str| {
        let lower = p.to_ascii_lowercase();
        extensions.iter().any(|e| lower.ends_with(e))
    };
    let read_file = |path: &Path,
                     docs: &mut Vec<Document>,
                     rejects: &mut Vec<Reject>,
                     skipped: &mut Vec<String>| {
        let source = path.display().to_string();
        if source.to_ascii_lowercase().ends_with(".zip") {
            read_zip(path, &wanted, docs, rejects, skipped);
            return;
        }
        match std::fs::read(path) {
            Ok(bytes) => docs.push(Document { source, bytes }),
            Err(e) => rejects.push(Reject {
                source,
                reason: format!("cannot read: {e}"),
                raw: Vec::new(),
            }),
        }
    };
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|e| match e {
                    Ok(e) if e.file_type().is_file() => Some(e.into_path()),
                    Ok(_) => None,
                    Err(err) => {
                        rejects.push(Reject {
                            source: err.path().map_or_else(
                                || path.display().to_string(),
                                |p| p.display().to_string(),
                            ),
                            reason: format!("cannot walk: {err}"),
                            raw: Vec::new(),
                        });
                        None
                    }
                })
                .collect();
            files.sort();
            for f in files {
                let name = f.display().to_string();
                if wanted(&name) || name.to_ascii_lowercase().ends_with(".zip") {
                    read_file(&f, &mut docs, &mut rejects, &mut skipped);
                } else {
                    skipped.push(name);
                }
            }
        } else if path.exists() {
            read_file(path, &mut docs, &mut rejects, &mut skipped);
        } else {
            rejects.push(Reject {
                source: path.display().to_string(),
                reason: "no such file or directory".into(),
                raw: Vec::new(),
            });
        }
    }
    (docs, rejects, skipped)
}

fn read_zip(
    path: &Path,
    wanted: &dyn Fn(&str) -> bool,
    docs: &mut Vec<Document>,
    rejects: &mut Vec<Reject>,
    skipped: &mut Vec<String>,
) {
    let source = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            rejects.push(Reject {
                source,
                reason: format!("cannot read: {e}"),
                raw: Vec::new(),
            });
            return;
        }
    };
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
        Ok(a) => a,
        Err(e) => {
            rejects.push(Reject {
                source,
                reason: format!("not a readable .zip archive: {e}"),
                raw: bytes.clone(),
            });
            return;
        }
    };
    let mut names: Vec<String> = archive.file_names().map(str::to_string).collect();
    names.sort();
    for name in names {
        let entry_source = format!("{source}!{name}");
        if name.ends_with('/') {
            continue;
        }
        if !wanted(&name) {
            skipped.push(entry_source);
            continue;
        }
        let mut buf = Vec::new();
        let read = archive
            .by_name(&name)
            .map_err(|e| e.to_string())
            .and_then(|mut f| f.read_to_end(&mut buf).map_err(|e| e.to_string()));
        match read {
            Ok(_) => docs.push(Document {
                source: entry_source,
                bytes: buf,
            }),
            Err(e) => rejects.push(Reject {
                source: entry_source,
                reason: format!("cannot read archive entry: {e}"),
                raw: Vec::new(),
            }),
        }
    }
}

/// The start of every ingest command: the tables exist, the documents named by `paths` are read
/// (the unreadable ones already rejected), and the summary counts them.
pub(crate) async fn begin(
    lake: &Lake,
    paths: &[PathBuf],
    extensions: &[&str],
    progress: &indicatif::ProgressBar,
) -> Result<(Vec<Document>, Vec<Reject>, Summary)> {
    lake.init().await?;
    let (docs, rejects, skipped) = collect_documents(paths, extensions);
    progress.set_length(docs.len() as u64);
    let summary = Summary {
        read: docs.len(),
        skipped,
        ..Summary::default()
    };
    Ok((docs, rejects, summary))
}

/// The values of `column` that `table` already holds for `tenant`.
pub(crate) async fn known(
    lake: &Lake,
    table: Table,
    tenant: &str,
    column: &str,
) -> Result<std::collections::HashSet<String>> {
    let batches = crate::session::read_columns(lake, table, tenant, &[column]).await?;
    Ok(crate::session::string_column(&batches, 0)?
        .into_iter()
        .collect())
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_id(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Parses `bytes` as JSON, with a reason fit for a reject.
pub fn parse_json(bytes: &[u8]) -> std::result::Result<serde_json::Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))
}

/// Parses `bytes` as JSON, or as YAML when it does not start like JSON (OSV records are also
/// published as YAML, such as the PyPA advisory database), with a reason fit for a reject.
pub fn parse_json_or_yaml(bytes: &[u8]) -> std::result::Result<serde_json::Value, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return parse_json(bytes);
    }
    serde_norway::from_slice(bytes).map_err(|e| format!("not valid JSON or YAML: {e}"))
}

/// The canonical text of a JSON value: object keys sorted, no insignificant white space.
pub fn canonical_json(value: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    write(&map[k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Parses an RFC 3339 time (or a date) leniently, as advisories and VEX documents write them.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// RFC 3339 text of a time, as `rows_to_batch` expects timestamps.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[derive(Serialize)]
struct RejectRow<'a> {
    tenant: &'a str,
    kind: String,
    source: &'a str,
    reason: &'a str,
    rejected_at: String,
}

/// Stores `rejects` in the `rejects` table (one commit).
pub async fn write_rejects(
    lake: &Lake,
    tenant: &str,
    kind: Kind,
    rejects: &[Reject],
) -> Result<()> {
    if rejects.is_empty() {
        return Ok(());
    }
    let now = ts(Utc::now());
    let rows: Vec<RejectRow> = rejects
        .iter()
        .map(|r| RejectRow {
            tenant,
            kind: kind.to_string(),
            source: &r.source,
            reason: &r.reason,
            rejected_at: now.clone(),
        })
        .collect();
    let raw = rejects.iter().map(|r| Some(r.raw.clone())).collect();
    let batch = rows_to_batch(Table::Rejects, &rows, vec![("raw", raw)])?;
    lake.append(Table::Rejects, vec![batch]).await?;
    Ok(())
}
