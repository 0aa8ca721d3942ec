//! Advisory ingestion under the Aggregation-Only Contract: every record lands verbatim in
//! `advisory_raw` (append-only, a new revision only when its canonical content changed), and
//! normalized in `advisory_observations` and `advisory_affected`.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Utc;
use indicatif::ProgressBar;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Kind, Reject, Summary, ts, write_rejects};
use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};
use crate::session;

pub mod osv;

/// An advisory format; `--source` overrides the detected one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    Osv,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Osv => "osv",
        }
    }
}

/// One record of a document, ready to land.
pub struct Record {
    pub advisory_id: String,
    pub canonical: String,
    pub raw: Vec<u8>,
    pub observation: osv::Observation,
    pub affected: Vec<osv::Affected>,
}

#[derive(Serialize)]
struct RawRow<'a> {
    tenant: &'a str,
    source: &'a str,
    advisory_id: &'a str,
    revision: i64,
    content_sha256: String,
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
    observation: &'a osv::Observation,
}

#[derive(Serialize)]
struct AffectedRow<'a> {
    tenant: &'a str,
    source: &'a str,
    advisory_id: &'a str,
    revision: i64,
    #[serde(flatten)]
    affected: &'a osv::Affected,
}

/// The latest revision and content hash of every advisory record the tenant already has.
async fn latest_revisions(
    lake: &Lake,
    tenant: &str,
) -> Result<HashMap<(String, String), (i64, String)>> {
    let batches = session::read_columns(
        lake,
        Table::AdvisoryRaw,
        tenant,
        &["source", "advisory_id", "revision", "content_sha256"],
    )
    .await?;
    let sources = session::string_column(&batches, 0)?;
    let ids = session::string_column(&batches, 1)?;
    let revisions = session::string_column(&batches, 2)?;
    let hashes = session::string_column(&batches, 3)?;
    let mut latest: HashMap<(String, String), (i64, String)> = HashMap::new();
    for (((s, id), rev), h) in sources.into_iter().zip(ids).zip(revisions).zip(hashes) {
        let rev: i64 = rev.parse().unwrap_or_default();
        let entry = latest.entry((s, id)).or_insert((0, String::new()));
        if rev > entry.0 {
            *entry = (rev, h);
        }
    }
    Ok(latest)
}

/// Ingests the advisories named by `paths` for `tenant`.
/// The files advisory ingestion reads inside directories and archives: OSV is published as
/// JSON and as YAML.
pub const EXTENSIONS: &[&str] = &[".json", ".yaml", ".yml"];

pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    source: Option<Source>,
    progress: &ProgressBar,
) -> Result<Summary> {
    let (docs, mut rejects, mut summary) = super::begin(lake, paths, EXTENSIONS, progress).await?;
    let mut latest = latest_revisions(lake, tenant).await?;
    let source = source.unwrap_or(Source::Osv);
    let now = ts(Utc::now());
    // (revision, content sha256, source path, record) of every record that lands.
    let mut landed: Vec<(i64, String, &str, Record)> = Vec::new();
    for doc in &docs {
        progress.inc(1);
        let records = match osv::parse_document(&doc.bytes) {
            Ok(r) => r,
            Err(reason) => {
                rejects.push(Reject::new(doc, reason));
                continue;
            }
        };
        for record in records {
            let sha = hex::encode(Sha256::digest(record.canonical.as_bytes()));
            let key = (source.name().to_string(), record.advisory_id.clone());
            let entry = latest.entry(key).or_insert((0, String::new()));
            if entry.1 == sha {
                summary.unchanged += 1;
                continue;
            }
            *entry = (entry.0 + 1, sha.clone());
            landed.push((entry.0, sha, &doc.source, record));
        }
    }
    let raw: Vec<RawRow> = landed
        .iter()
        .map(|(rev, sha, path, r)| RawRow {
            tenant,
            source: source.name(),
            advisory_id: &r.advisory_id,
            revision: *rev,
            content_sha256: sha.clone(),
            format: "osv-json",
            source_path: path,
            ingested_at: &now,
        })
        .collect();
    let raw_bytes = landed.iter().map(|(.., r)| Some(r.raw.clone())).collect();
    let observations: Vec<ObservationRow> = landed
        .iter()
        .map(|(rev, .., r)| ObservationRow {
            tenant,
            source: source.name(),
            advisory_id: &r.advisory_id,
            revision: *rev,
            observation: &r.observation,
        })
        .collect();
    let affected: Vec<AffectedRow> = landed
        .iter()
        .flat_map(|(rev, .., r)| {
            r.affected.iter().map(move |a| AffectedRow {
                tenant,
                source: source.name(),
                advisory_id: &r.advisory_id,
                revision: *rev,
                affected: a,
            })
        })
        .collect();
    // Derived tables first, the raw table last: a raw row means its record landed completely.
    if !observations.is_empty() {
        let b = rows_to_batch(Table::AdvisoryObservations, &observations, vec![])?;
        lake.append(Table::AdvisoryObservations, vec![b]).await?;
    }
    if !affected.is_empty() {
        let b = rows_to_batch(Table::AdvisoryAffected, &affected, vec![])?;
        lake.append(Table::AdvisoryAffected, vec![b]).await?;
    }
    if !raw.is_empty() {
        let b = rows_to_batch(Table::AdvisoryRaw, &raw, vec![("raw", raw_bytes)])?;
        lake.append(Table::AdvisoryRaw, vec![b]).await?;
    }
    write_rejects(lake, tenant, Kind::Advisory, &rejects).await?;
    summary.landed = landed.len();
    summary.rows = vec![
        (Table::AdvisoryObservations, observations.len()),
        (Table::AdvisoryAffected, affected.len()),
    ];
    summary.rejects = rejects;
    Ok(summary)
}
