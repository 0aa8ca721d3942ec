//! Advisory ingestion under the Aggregation-Only Contract: every record lands verbatim in
//! `advisory_raw` (append-only, a new revision only when its canonical content changed), and
//! normalized in `advisory_observations` and `advisory_affected` (linksets). Each source stays
//! separate: the same CVE from NVD, from a GHSA record and from a Red Hat CSAF advisory is three
//! records, linked by alias (the `advisory_aliases` view), never merged.
//!
//! Formats, detected from content (`--source` overrides): OSV JSON and YAML ([`osv`]), NVD CVE
//! API 2.0 pages ([`nvd`]) and CSAF 2.0 documents ([`csaf`]).

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Utc;
use indicatif::ProgressBar;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Kind, Reject, Summary, parse_json_or_yaml, ts, write_rejects};
use crate::error::Result;
use crate::lake::{EventRow, Lake, Table, rows_to_batch};
use crate::session;

pub mod csaf;
pub mod nvd;
pub mod osv;
mod paged;
mod raw_json;
pub(crate) mod schemas;

/// An advisory format, which is also the record's `source`; `--source` overrides detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// OSV records (JSON or YAML; GHSA, Go, PyPA, RustSec, AlmaLinux, ... databases).
    Osv,
    /// NVD CVE API 2.0 response pages (one record per CVE).
    Nvd,
    /// CSAF 2.0 documents (one record per document).
    Csaf,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Osv => "osv",
            Source::Nvd => "nvd",
            Source::Csaf => "csaf",
        }
    }

    /// The format of a parsed document, from its shape.
    pub fn detect(value: &Value) -> Option<Source> {
        match value {
            // A CSAF document, or a Red Hat tombstone (only `document.tracking`).
            Value::Object(m)
                if m.get("document").is_some_and(|d| {
                    d.get("csaf_version").is_some() || d.get("tracking").is_some()
                }) =>
            {
                Some(Source::Csaf)
            }
            Value::Object(m) if m.get("vulnerabilities").is_some_and(Value::is_array) => {
                Some(Source::Nvd)
            }
            Value::Object(m)
                if m.get("cve").is_some_and(Value::is_object) && !m.contains_key("id") =>
            {
                Some(Source::Nvd)
            }
            Value::Object(m)
                if m.contains_key("id") || m.get("vulns").is_some_and(Value::is_array) =>
            {
                Some(Source::Osv)
            }
            Value::Array(items) if items.iter().all(|i| i.get("id").is_some()) => Some(Source::Osv),
            _ => None,
        }
    }
}

/// One severity of an advisory: the scoring system (`CVSS_V2`, `CVSS_V3`, `CVSS_V4`, as OSV
/// names them), the vector, and the score the source states (NULL when it states none; the
/// `cvss_score` SQL function computes one from the vector).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Severity {
    pub system: String,
    pub vector: String,
    pub score: Option<f64>,
}

/// The normalized fields of `advisory_observations`.
#[derive(Serialize, Debug, Default)]
pub struct Observation {
    pub aliases: Vec<String>,
    /// The records this one is derived from (OSV `upstream`: a distribution's record of a CVE).
    pub upstream: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub severities: Vec<Severity>,
    pub database_severity: Option<String>,
    pub references: Vec<String>,
    pub cwes: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: Option<String>,
}

/// One OSV range event (exactly one field set).
#[derive(Serialize, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Event {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

impl Event {
    pub fn introduced(v: &str) -> Event {
        Event {
            introduced: Some(v.into()),
            ..Event::default()
        }
    }

    pub fn fixed(v: &str) -> Event {
        Event {
            fixed: Some(v.into()),
            ..Event::default()
        }
    }
}

/// One OSV range.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Range {
    #[serde(rename = "type")]
    pub ty: String,
    pub events: Vec<Event>,
}

/// One CPE match of an NVD configuration, as NVD states it.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct CpeMatch {
    /// The configuration and node it belongs to (0-based), the node's operator and negation:
    /// an `AND` node needs all its matches (an application on a platform).
    pub configuration: i64,
    pub node: i64,
    pub operator: Option<String>,
    pub negate: bool,
    pub criteria: String,
    pub vulnerable: bool,
    pub version_start_including: Option<String>,
    pub version_start_excluding: Option<String>,
    pub version_end_including: Option<String>,
    pub version_end_excluding: Option<String>,
}

/// A remediation a CSAF advisory gives for a product.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Remediation {
    pub category: String,
    pub details: Option<String>,
    pub url: Option<String>,
}

/// One `advisory_affected` row (a linkset): what the advisory says about one package or product.
#[derive(Serialize, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Affected {
    pub ecosystem: Option<String>,
    pub package_name: Option<String>,
    pub package_key: Option<String>,
    pub purl: Option<String>,
    /// What the source says of it: `affected` (OSV), a CSAF product status (`known_affected`,
    /// `fixed`, `first_fixed`, `known_not_affected`, `under_investigation`, ...), or
    /// `vulnerable`/`not_vulnerable` (an NVD CPE match). Only affected and fixed linksets match.
    pub status: Option<String>,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
    pub cpes: Vec<String>,
    pub cpe_matches: Vec<CpeMatch>,
    pub remediations: Vec<Remediation>,
}

impl Affected {
    pub fn new(status: &str) -> Affected {
        Affected {
            ecosystem: None,
            package_name: None,
            package_key: None,
            purl: None,
            status: Some(status.into()),
            ranges: Vec::new(),
            versions: Vec::new(),
            cpes: Vec::new(),
            cpe_matches: Vec::new(),
            remediations: Vec::new(),
        }
    }
}

/// One record of a document, ready to land.
#[derive(Debug)]
pub struct Record {
    pub advisory_id: String,
    /// The record's content with object keys sorted: what decides whether it is a new revision.
    pub canonical: String,
    /// The record exactly as received.
    pub raw: Vec<u8>,
    /// `osv-json`, `osv-yaml`, `nvd-cve-api-2.0`, `csaf-2.0`.
    pub format: &'static str,
    pub observation: Observation,
    pub affected: Vec<Affected>,
}

/// The records of one document, and the format they were read as.
pub fn parse_document(
    bytes: &[u8],
    source: Option<Source>,
) -> std::result::Result<(Source, Records<'_>), String> {
    if let Some(paged) = paged::parse(bytes, source, paged::BY_RECORD_ABOVE) {
        return paged.map(|(s, items)| (s, Records::Paged(items)));
    }
    whole(bytes, source).map(|(s, records)| (s, Records::Whole(records.into_iter())))
}

/// The records of a document, as they are taken: those of a document read whole, or those of a
/// large page read record by record ([`paged`]).
pub enum Records<'a> {
    Whole(std::vec::IntoIter<Record>),
    Paged(paged::Items<'a>),
}

impl Iterator for Records<'_> {
    type Item = std::result::Result<Record, String>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Records::Whole(r) => r.next().map(Ok),
            Records::Paged(p) => p.next(),
        }
    }
}

/// The records of a document read whole.
fn whole(
    bytes: &[u8],
    source: Option<Source>,
) -> std::result::Result<(Source, Vec<Record>), String> {
    let value = parse_json_or_yaml(bytes)?;
    let source = match source.or_else(|| Source::detect(&value)) {
        Some(s) => s,
        None => {
            return Err(
                if value.get("dataType").and_then(Value::as_str) == Some("CVE_RECORD") {
                    "a CVE Record Format 5 document (cve.org), not an advisory format vexlake reads: \
                 ingest NVD CVE API 2.0 pages, OSV records or CSAF 2.0 documents"
                    .into()
                } else {
                    "not an advisory vexlake can read: expected an OSV record (JSON or YAML), an NVD \
                 CVE API 2.0 page or a CSAF 2.0 document"
                    .into()
                },
            );
        }
    };
    if source == Source::Csaf && csaf::is_tombstone(&value) {
        return Ok((source, csaf::records(value, bytes)?));
    }
    // An OSV page is checked record by record (one bad record rejects the page, with its place).
    let checked: Vec<&Value> = match (&value, source) {
        (Value::Array(items), Source::Osv) => items.iter().collect(),
        (Value::Object(m), Source::Osv) if !m.contains_key("id") => m
            .get("vulns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect(),
        _ => vec![&value],
    };
    for (i, v) in checked.iter().enumerate() {
        schemas::check(schemas::shape(source, v), v).map_err(|e| {
            if checked.len() > 1 {
                format!("record {i}: {e}")
            } else {
                e
            }
        })?;
    }
    let records = match source {
        Source::Osv => osv::records(value, bytes)?,
        Source::Nvd => nvd::records(value, bytes)?,
        Source::Csaf => csaf::records(value, bytes)?,
    };
    Ok((source, records))
}

#[derive(Serialize)]
struct RawRow<'a> {
    tenant: &'a str,
    source: &'a str,
    advisory_id: &'a str,
    revision: i64,
    content_sha256: &'a str,
    format: &'a str,
    source_path: &'a str,
    ingested_at: &'a str,
}

#[derive(Serialize)]
struct ObservationRow<'a> {
    tenant: &'a str,
    source: &'a str,
    advisory_id: &'a str,
    revision: i64,
    #[serde(flatten)]
    observation: &'a Observation,
}

#[derive(Serialize)]
struct AffectedRow<'a> {
    tenant: &'a str,
    source: &'a str,
    advisory_id: &'a str,
    revision: i64,
    #[serde(flatten)]
    affected: &'a Affected,
}

/// What the lake already holds of each advisory record: its latest revision and content hash,
/// and the content hash of the latest revision read from each source path.
#[derive(Default)]
struct Known {
    latest: HashMap<(String, String), (i64, String)>,
    by_path: HashMap<(String, String, String), (i64, String)>,
}

impl Known {
    async fn load(lake: &Lake, tenant: &str) -> Result<Known> {
        let batches = session::read_columns(
            lake,
            Table::AdvisoryRaw,
            tenant,
            &[
                "source",
                "advisory_id",
                "revision",
                "content_sha256",
                "source_path",
            ],
        )
        .await?;
        let mut known = Known::default();
        let column = |i| session::string_column(&batches, i);
        let (sources, ids, revisions) = (column(0)?, column(1)?, column(2)?);
        let (hashes, paths) = (column(3)?, column(4)?);
        for ((((source, id), revision), sha), path) in sources
            .iter()
            .zip(&ids)
            .zip(&revisions)
            .zip(&hashes)
            .zip(&paths)
        {
            known.note(source, id, path, revision.parse().unwrap_or_default(), sha);
        }
        Ok(known)
    }

    fn note(&mut self, source: &str, id: &str, path: &str, revision: i64, sha: &str) {
        let latest = self
            .latest
            .entry((source.into(), id.into()))
            .or_insert((0, String::new()));
        if revision > latest.0 {
            *latest = (revision, sha.into());
        }
        let by_path = self
            .by_path
            .entry((source.into(), id.into(), path.into()))
            .or_insert((0, String::new()));
        if revision > by_path.0 {
            *by_path = (revision, sha.into());
        }
    }

    /// The revision a record read from `path` with content `sha` lands as, or `None` when it
    /// is unchanged: its content is the record's latest, or the latest read from that same path
    /// (a folder that holds one id twice with different contents, read again, adds nothing;
    /// A -> B -> A through new files or a changed file still gives three revisions).
    fn revision(&mut self, source: &str, id: &str, path: &str, sha: &str) -> Option<i64> {
        let latest = self.latest.get(&(source.into(), id.into()));
        let from_path = self.by_path.get(&(source.into(), id.into(), path.into()));
        if latest.is_some_and(|l| l.1 == sha) || from_path.is_some_and(|p| p.1 == sha) {
            return None;
        }
        let revision = latest.map_or(1, |l| l.0 + 1);
        self.note(source, id, path, revision, sha);
        Some(revision)
    }
}

/// The files advisory ingestion reads inside directories and archives: OSV is published as
/// JSON and as YAML.
pub const EXTENSIONS: &[&str] = &[".json", ".yaml", ".yml"];

/// One record that lands: its revision, content hash, source, where it came from.
struct Landed {
    revision: i64,
    sha: String,
    source: Source,
    path: String,
    record: Record,
}

/// How many records one round of commits holds at most by default, and how many bytes of them
/// as received: memory stays bounded by this, whatever the size of the input.
pub const BATCH_RECORDS: usize = 10_000;
const BATCH_BYTES: usize = 64 << 20;

/// How `vexlake ingest advisories` reads its inputs.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Force a format instead of detecting it.
    pub source: Option<Source>,
    /// Documents (files, archive entries) larger than this are rejected unread.
    pub max_document_size: u64,
    /// Records per round of commits.
    pub batch_records: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            source: None,
            max_document_size: super::DEFAULT_MAX_DOCUMENT_SIZE,
            batch_records: BATCH_RECORDS,
        }
    }
}

/// Ingests the advisories named by `paths` for `tenant`. Documents are read one at a time in
/// sorted path order and land in rounds of at most `options.batch_records` records (each round
/// commits the derived tables, then `advisory_raw`, then the events).
pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    options: &Options,
    progress: &ProgressBar,
) -> Result<Summary> {
    lake.init().await?;
    let (inputs, mut rejects, skipped) = super::list_inputs(paths, EXTENSIONS);
    progress.set_length(inputs.len() as u64);
    let mut summary = Summary {
        skipped,
        ..Summary::default()
    };
    let mut known = Known::load(lake, tenant).await?;
    let now = ts(Utc::now());
    let mut reader = super::Reader::new(options.max_document_size);
    let mut staged: Vec<Landed> = Vec::new();
    let mut staged_bytes = 0usize;
    let mut rows = [0usize; 2];
    for input in &inputs {
        progress.inc(1);
        let doc = match reader.read(input) {
            Ok(d) => d,
            Err(r) => {
                rejects.push(r);
                continue;
            }
        };
        summary.read += 1;
        let (source, records) = match parse_document(&doc.bytes, options.source) {
            Ok(r) => r,
            Err(reason) => {
                rejects.push(Reject::new(&doc, reason));
                continue;
            }
        };
        for record in records {
            // A paged document's records were checked before; one that still fails to read
            // is rejected with its place (what landed of the page before it stays).
            let record = match record {
                Ok(r) => r,
                Err(reason) => {
                    rejects.push(Reject::new(&doc, reason));
                    break;
                }
            };
            let sha = hex::encode(Sha256::digest(record.canonical.as_bytes()));
            let Some(revision) =
                known.revision(source.name(), &record.advisory_id, &doc.source, &sha)
            else {
                summary.unchanged += 1;
                continue;
            };
            staged_bytes += record.raw.len();
            staged.push(Landed {
                revision,
                sha,
                source,
                path: doc.source.clone(),
                record,
            });
            if staged.len() >= options.batch_records.max(1) || staged_bytes >= BATCH_BYTES {
                land(lake, tenant, &staged, &now, &mut rows).await?;
                summary.landed += staged.len();
                staged.clear();
                staged_bytes = 0;
            }
        }
    }
    land(lake, tenant, &staged, &now, &mut rows).await?;
    summary.landed += staged.len();
    write_rejects(lake, tenant, Kind::Advisory, &rejects).await?;
    summary.rows = vec![
        (Table::AdvisoryObservations, rows[0]),
        (Table::AdvisoryAffected, rows[1]),
    ];
    summary.rejects = rejects;
    Ok(summary)
}

/// Commits one round of records: observations and linksets first, the raw records last (a raw
/// row means its record landed completely), then their events. `rows` counts the derived rows.
async fn land(
    lake: &Lake,
    tenant: &str,
    landed: &[Landed],
    now: &str,
    rows: &mut [usize; 2],
) -> Result<()> {
    if landed.is_empty() {
        return Ok(());
    }
    let raw: Vec<RawRow> = landed
        .iter()
        .map(|l| RawRow {
            tenant,
            source: l.source.name(),
            advisory_id: &l.record.advisory_id,
            revision: l.revision,
            content_sha256: &l.sha,
            format: l.record.format,
            source_path: &l.path,
            ingested_at: now,
        })
        .collect();
    let raw_bytes = landed.iter().map(|l| Some(l.record.raw.clone())).collect();
    let observations: Vec<ObservationRow> = landed
        .iter()
        .map(|l| ObservationRow {
            tenant,
            source: l.source.name(),
            advisory_id: &l.record.advisory_id,
            revision: l.revision,
            observation: &l.record.observation,
        })
        .collect();
    let affected: Vec<AffectedRow> = landed
        .iter()
        .flat_map(|l| {
            l.record.affected.iter().map(move |a| AffectedRow {
                tenant,
                source: l.source.name(),
                advisory_id: &l.record.advisory_id,
                revision: l.revision,
                affected: a,
            })
        })
        .collect();
    let mut versions: Vec<(Table, u64)> = Vec::new();
    let b = rows_to_batch(Table::AdvisoryObservations, &observations, vec![])?;
    versions.push((
        Table::AdvisoryObservations,
        lake.append(Table::AdvisoryObservations, vec![b]).await?,
    ));
    if !affected.is_empty() {
        let b = rows_to_batch(Table::AdvisoryAffected, &affected, vec![])?;
        versions.push((
            Table::AdvisoryAffected,
            lake.append(Table::AdvisoryAffected, vec![b]).await?,
        ));
    }
    let b = rows_to_batch(Table::AdvisoryRaw, &raw, vec![("raw", raw_bytes)])?;
    versions.push((
        Table::AdvisoryRaw,
        lake.append(Table::AdvisoryRaw, vec![b]).await?,
    ));
    write_events(lake, tenant, landed, &versions, now).await?;
    rows[0] += observations.len();
    rows[1] += affected.len();
    Ok(())
}

/// One `events` row per record that landed (stream `concelier:drift`): `advisory.new` for a
/// first revision, `advisory.withdrawn` for a revision that withdraws it, `advisory.updated`
/// otherwise; each with the table versions the ingest wrote.
async fn write_events(
    lake: &Lake,
    tenant: &str,
    landed: &[Landed],
    versions: &[(Table, u64)],
    now: &str,
) -> Result<()> {
    if landed.is_empty() {
        return Ok(());
    }
    let table_versions = serde_json::to_string(
        &versions
            .iter()
            .map(|(t, v)| (t.name(), *v))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .unwrap_or_default();
    let rows: Vec<EventRow> = landed
        .iter()
        .map(|l| {
            let ty = if l.record.observation.withdrawn.is_some() {
                "advisory.withdrawn"
            } else if l.revision == 1 {
                "advisory.new"
            } else {
                "advisory.updated"
            };
            let subject = format!("{}/{}", l.source.name(), l.record.advisory_id);
            let payload = serde_json::json!({
                "source": l.source.name(),
                "advisory_id": l.record.advisory_id,
                "revision": l.revision,
                "content_sha256": l.sha,
                "source_path": l.path,
            });
            EventRow {
                tenant: tenant.to_string(),
                event_id: super::sha256_id(
                    format!("{tenant}\n{subject}\n{}\n{}", l.revision, l.sha).as_bytes(),
                ),
                stream: "concelier:drift",
                ty,
                subject,
                payload: payload.to_string(),
                table_versions: table_versions.clone(),
                occurred_at: now.to_string(),
            }
        })
        .collect();
    let batch = rows_to_batch(Table::Events, &rows, vec![])?;
    lake.append(Table::Events, vec![batch]).await?;
    Ok(())
}
