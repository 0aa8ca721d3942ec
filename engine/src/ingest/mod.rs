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
pub(crate) mod csaf_tree;
pub mod runtime;
pub mod sbom;
pub mod vex;

/// What an ingest command reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sbom,
    Advisory,
    Vex,
    Runtime,
    Image,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Sbom => "sbom",
            Kind::Advisory => "advisory",
            Kind::Vex => "vex",
            Kind::Runtime => "runtime",
            Kind::Image => "image",
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
    /// Signed documents whose signature no trust root verifies (kept, marked invalid).
    pub invalid_signatures: usize,
}

impl Summary {
    pub fn rejected(&self) -> usize {
        self.rejects.len()
    }
}

/// The largest document ingestion reads by default (`--max-document-size`): a larger file or
/// archive entry is rejected with its size, unread, instead of exhausting memory.
pub const DEFAULT_MAX_DOCUMENT_SIZE: u64 = 256 << 20;

/// One input document, listed but not yet read: a file, or an entry of a .zip archive.
#[derive(Clone, Debug)]
pub enum Input {
    File(PathBuf),
    ZipEntry { archive: PathBuf, name: String },
}

impl Input {
    /// Where the document comes from: its path, or `archive.zip!entry`.
    pub fn source(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::ZipEntry { archive, name } => format!("{}!{name}", archive.display()),
        }
    }
}

/// The inputs named by `paths`, in order, without reading them: files as they are, directories
/// walked in sorted path order and .zip archives entry by entry (sorted). Inside directories and
/// archives only files ending in one of `extensions` count; the others are listed in `skipped`.
pub fn list_inputs(
    paths: &[PathBuf],
    extensions: &[&str],
) -> (Vec<Input>, Vec<Reject>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut rejects = Vec::new();
    let mut skipped = Vec::new();
    let wanted = |p: &str| {
        let lower = p.to_ascii_lowercase();
        extensions.iter().any(|e| lower.ends_with(e))
    };
    let is_zip = |p: &Path| {
        p.display()
            .to_string()
            .to_ascii_lowercase()
            .ends_with(".zip")
    };
    let file = |path: PathBuf,
                inputs: &mut Vec<Input>,
                rejects: &mut Vec<Reject>,
                skipped: &mut Vec<String>| {
        if !is_zip(&path) {
            inputs.push(Input::File(path));
            return;
        }
        let listed = std::fs::File::open(&path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|f| {
                zip::ZipArchive::new(f).map_err(|e| format!("not a readable .zip archive: {e}"))
            });
        let archive = match listed {
            Ok(a) => a,
            Err(reason) => {
                rejects.push(Reject {
                    source: path.display().to_string(),
                    raw: if reason.starts_with("not a readable") {
                        std::fs::read(&path).unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    reason,
                });
                return;
            }
        };
        let mut names: Vec<String> = archive.file_names().map(str::to_string).collect();
        names.sort();
        for name in names {
            if name.ends_with('/') {
                continue;
            }
            if wanted(&name) {
                inputs.push(Input::ZipEntry {
                    archive: path.clone(),
                    name,
                });
            } else {
                skipped.push(format!("{}!{name}", path.display()));
            }
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
                if wanted(&name) || is_zip(&f) {
                    file(f, &mut inputs, &mut rejects, &mut skipped);
                } else {
                    skipped.push(name);
                }
            }
        } else if path.exists() {
            file(path.clone(), &mut inputs, &mut rejects, &mut skipped);
        } else {
            rejects.push(Reject {
                source: path.display().to_string(),
                reason: "no such file or directory".into(),
                raw: Vec::new(),
            });
        }
    }
    (inputs, rejects, skipped)
}

/// Reads inputs one at a time, refusing any larger than `limit` bytes, and keeps the archive
/// it last read from open (an archive's entries come one after another).
pub struct Reader {
    limit: u64,
    open: Option<(PathBuf, zip::ZipArchive<std::fs::File>)>,
}

impl Reader {
    pub fn new(limit: u64) -> Reader {
        Reader { limit, open: None }
    }

    fn too_large(&self, source: String, size: u64) -> Reject {
        Reject {
            source,
            reason: format!(
                "{size} bytes, more than the {}-byte limit for one document (raise it with \
                 --max-document-size); not read",
                self.limit
            ),
            raw: Vec::new(),
        }
    }

    pub fn read(&mut self, input: &Input) -> std::result::Result<Document, Reject> {
        let source = input.source();
        let unreadable = |reason: String| Reject {
            source: source.clone(),
            reason,
            raw: Vec::new(),
        };
        match input {
            Input::File(path) => {
                let size = std::fs::metadata(path)
                    .map_err(|e| unreadable(format!("cannot read: {e}")))?
                    .len();
                if size > self.limit {
                    return Err(self.too_large(source, size));
                }
                let bytes =
                    std::fs::read(path).map_err(|e| unreadable(format!("cannot read: {e}")))?;
                Ok(Document { source, bytes })
            }
            Input::ZipEntry { archive, name } => {
                if self.open.as_ref().is_none_or(|(p, _)| p != archive) {
                    let opened = std::fs::File::open(archive)
                        .map_err(|e| e.to_string())
                        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
                        .map_err(|e| unreadable(format!("cannot read archive: {e}")))?;
                    self.open = Some((archive.clone(), opened));
                }
                let limit = self.limit;
                let (_, zip) = self.open.as_mut().expect("opened above");
                let mut entry = zip
                    .by_name(name)
                    .map_err(|e| unreadable(format!("cannot read archive entry: {e}")))?;
                if entry.size() > limit {
                    let size = entry.size();
                    drop(entry);
                    return Err(self.too_large(source, size));
                }
                // The header's size is the archive's claim: read no more than the limit anyway.
                let mut bytes = Vec::new();
                (&mut entry)
                    .take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| unreadable(format!("cannot read archive entry: {e}")))?;
                if bytes.len() as u64 > limit {
                    drop(entry);
                    return Err(self.too_large(source, bytes.len() as u64));
                }
                Ok(Document { source, bytes })
            }
        }
    }
}

/// The documents named by `paths` (see [`list_inputs`]), read; unreadable ones are rejects.
pub fn collect_documents(
    paths: &[PathBuf],
    extensions: &[&str],
) -> (Vec<Document>, Vec<Reject>, Vec<String>) {
    let (inputs, mut rejects, skipped) = list_inputs(paths, extensions);
    let mut reader = Reader::new(DEFAULT_MAX_DOCUMENT_SIZE);
    let mut docs = Vec::new();
    for input in &inputs {
        match reader.read(input) {
            Ok(d) => docs.push(d),
            Err(r) => rejects.push(r),
        }
    }
    (docs, rejects, skipped)
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
/// serde_json's maps are ordered by key (vexlake does not enable its `preserve_order`
/// feature; a test guards this), so its compact serialization is the canonical form.
pub fn canonical_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b": [ {"z": 1, "y": "\u00e9"} ], "a": null}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":null,"b":[{"y":"é","z":1}]}"#).unwrap();
        assert_eq!(canonical_json(&a), r#"{"a":null,"b":[{"y":"é","z":1}]}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }
}
