//! VEX ingestion into `vex_statements`: OpenVEX JSON (v0.0.1 and v0.2.0) and CSAF 2.0 VEX.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::Utc;
use indicatif::ProgressBar;
use serde::Serialize;

use super::{Kind, Reject, Summary, sha256_id, ts, write_rejects};
use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};

pub mod csaf;
pub mod openvex;

/// The status a VEX statement gives a (vulnerability, product) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl FromStr for VexStatus {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "not_affected" => Ok(VexStatus::NotAffected),
            "affected" => Ok(VexStatus::Affected),
            "fixed" => Ok(VexStatus::Fixed),
            "under_investigation" => Ok(VexStatus::UnderInvestigation),
            other => Err(format!(
                "unknown VEX status {other:?} (expected not_affected, affected, fixed or under_investigation)"
            )),
        }
    }
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        })
    }
}

/// The id of a statement: the hex sha256 of its identifying `parts` (the document digest first),
/// each ended by a unit separator so that boundaries count.
pub fn statement_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// One `vex_statements` row (one statement about one product or subcomponent).
#[derive(Serialize, Debug, Clone)]
pub struct StatementRow {
    pub tenant: String,
    pub statement_id: String,
    pub issuer: Option<String>,
    pub format: &'static str,
    pub document_digest: String,
    pub document_id: Option<String>,
    pub vulnerability_id: String,
    pub aliases: Vec<String>,
    pub product_purl: Option<String>,
    pub product_key: Option<String>,
    pub subcomponent_purl: Option<String>,
    pub subcomponent_key: Option<String>,
    /// The version the statement names for its target (the subcomponent, else the product).
    pub target_version: Option<String>,
    pub status: String,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    pub statement_timestamp: Option<String>,
    pub signature_state: &'static str,
    pub raw: String,
    pub source_path: String,
    pub ingested_at: String,
}

/// Ingests the VEX documents named by `paths` for `tenant`.
pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    progress: &ProgressBar,
) -> Result<Summary> {
    let (docs, mut rejects, mut summary) = super::begin(lake, paths, &[".json"], progress).await?;
    let known = super::known(lake, Table::VexStatements, tenant, "document_digest").await?;
    let now = ts(Utc::now());
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for doc in &docs {
        progress.inc(1);
        let digest = sha256_id(&doc.bytes);
        let parsed = match super::parse_json(&doc.bytes) {
            Ok(value) if csaf::is_csaf(&value) => {
                csaf::parse(&value, tenant, &digest, &doc.source, &now)
            }
            _ => openvex::parse(&doc.bytes, tenant, &digest, &doc.source, &now),
        };
        match parsed {
            Ok(_) if known.contains(&digest) || !seen.insert(digest.clone()) => {
                summary.unchanged += 1
            }
            Ok(statements) => {
                summary.landed += 1;
                rows.extend(statements);
            }
            Err(reason) => rejects.push(Reject::new(doc, reason)),
        }
    }
    if !rows.is_empty() {
        let b = rows_to_batch(Table::VexStatements, &rows, vec![])?;
        lake.append(Table::VexStatements, vec![b]).await?;
    }
    write_rejects(lake, tenant, Kind::Vex, &rejects).await?;
    summary.rows = vec![(Table::VexStatements, rows.len())];
    summary.rejects = rejects;
    Ok(summary)
}
