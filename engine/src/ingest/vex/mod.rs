//! VEX ingestion into `vex_statements`: OpenVEX JSON (v0.0.1 and v0.2.0), CSAF 2.0 VEX and
//! CycloneDX VEX, each optionally in a DSSE envelope whose signature is verified against the
//! trust roots; and the issuer directory into `issuers`.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::Utc;
use indicatif::ProgressBar;
use serde::Serialize;

use vexlake_udfs::kernels::purl::Purl;

use super::{Document, Kind, Reject, Summary, sha256_id, ts, write_rejects};
use crate::error::{EngineError, Result};
use crate::lake::{Lake, Table, rows_to_batch};
use dsse::{SignatureState, TrustRoots};

pub mod csaf;
pub mod cyclonedx;
pub mod dsse;
pub mod issuers;
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

/// What a statement names as its product or subcomponent: a package URL (with or without a
/// version, with or without qualifiers), a CPE, an image digest (`sha256:…`, or the version of a
/// `pkg:oci` purl), or another identifier kept as written (a CycloneDX BOM-Link, an IRI).
#[derive(Clone, Debug)]
pub struct Product {
    /// The identifier as the document writes it.
    pub id: String,
    pub purl: Option<Purl>,
    pub cpe: Option<String>,
    pub digest: Option<String>,
}

impl Product {
    pub fn parse(id: &str) -> Product {
        let id = id.trim();
        let purl = if id.starts_with("pkg:") {
            Purl::parse(id)
        } else {
            None
        };
        let digest = match &purl {
            Some(p) if p.ty == "oci" => p.version.clone().filter(|v| is_digest(v)),
            _ => Some(id.to_string()).filter(|v| is_digest(v)),
        };
        let cpe = Some(id.to_string()).filter(|s| s.starts_with("cpe:"));
        Product {
            id: id.to_string(),
            purl,
            cpe,
            digest,
        }
    }

    /// A product known only by its CPE (CSAF product tree entries without a purl).
    pub fn cpe(cpe: &str) -> Product {
        Product {
            id: cpe.to_string(),
            purl: None,
            cpe: Some(cpe.to_string()),
            digest: None,
        }
    }

    /// How the consensus names this product: the canonical purl (qualifiers sorted, the deb/rpm
    /// epoch folded into the version), else the digest, the CPE or the identifier as written.
    fn scope(&self, version: Option<&str>) -> String {
        match &self.purl {
            Some(p) => {
                let mut p = p.normalized();
                if let Some(v) = version {
                    p.version = Some(v.to_string());
                }
                p.canonical()
            }
            None => self
                .digest
                .clone()
                .or_else(|| self.cpe.clone())
                .unwrap_or_else(|| self.id.clone()),
        }
    }
}

fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What every statement of one document carries.
#[derive(Clone, Debug)]
pub struct DocFacts<'a> {
    pub tenant: &'a str,
    pub digest: &'a str,
    pub source_path: &'a str,
    pub now: &'a str,
    pub format: &'static str,
    pub issuer: Option<String>,
    pub document_id: Option<String>,
}

/// One statement of a document before it is spread over its products.
#[derive(Clone, Debug)]
pub struct Claim {
    pub vulnerability_id: String,
    pub aliases: Vec<String>,
    pub status: VexStatus,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    pub timestamp: Option<String>,
    pub raw: String,
}

/// Where a statement applies: a product, optionally a subcomponent of it, and the versions of
/// the target (the subcomponent, else the product) when the document names them apart from the
/// identifier (`version` replaces the identifier's, `range` is a `vers:` range).
#[derive(Clone, Debug, Default)]
pub struct Target<'a> {
    pub product: Option<&'a Product>,
    pub subcomponent: Option<&'a Product>,
    pub version: Option<String>,
    pub range: Option<String>,
}

impl DocFacts<'_> {
    /// The row of `claim` about `target`; `id_parts` identify it within the document.
    pub fn row(&self, claim: &Claim, target: &Target, id_parts: &[&str]) -> StatementRow {
        let mut parts = vec![self.digest];
        parts.extend_from_slice(id_parts);
        let product = target.product;
        let sub = target.subcomponent;
        let aim = sub.or(product);
        // An image digest is the identity of the image, not a version of a package.
        let target_version = target.version.clone().or_else(|| {
            aim.filter(|p| p.digest.is_none())
                .and_then(|p| p.purl.as_ref())
                .and_then(Purl::full_version)
        });
        let aim_scope = aim.map(|p| {
            let mut s = p.scope(target.version.as_deref());
            if let Some(r) = &target.range {
                s.push(' ');
                s.push_str(r);
            }
            s
        });
        let scope = match (product, sub) {
            (Some(p), Some(_)) => aim_scope.map(|a| format!("{} > {a}", p.scope(None))),
            _ => aim_scope,
        };
        let key = |p: Option<&Product>| p.and_then(|p| p.purl.as_ref()).map(Purl::package_key);
        StatementRow {
            tenant: self.tenant.to_string(),
            statement_id: statement_id(&parts),
            issuer: self.issuer.clone(),
            format: self.format,
            document_digest: self.digest.to_string(),
            document_id: self.document_id.clone(),
            vulnerability_id: claim.vulnerability_id.clone(),
            aliases: claim.aliases.clone(),
            product_id: product.map(|p| p.id.clone()),
            product_purl: product.and_then(|p| p.purl.as_ref()).map(Purl::canonical),
            product_key: key(product),
            product_cpe: product.and_then(|p| p.cpe.clone()),
            product_digest: product.and_then(|p| p.digest.clone()),
            subcomponent_purl: sub.map(|p| p.purl.as_ref().map_or(p.id.clone(), Purl::canonical)),
            subcomponent_key: key(sub),
            target_version,
            target_range: target.range.clone(),
            scope,
            status: claim.status.to_string(),
            justification: claim.justification.clone(),
            impact_statement: claim.impact_statement.clone(),
            action_statement: claim.action_statement.clone(),
            statement_timestamp: claim.timestamp.clone(),
            signature_state: SignatureState::Unsigned.as_str(),
            signature_key: None,
            raw: claim.raw.clone(),
            source_path: self.source_path.to_string(),
            ingested_at: self.now.to_string(),
        }
    }
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
    /// The product's identifier as written.
    pub product_id: Option<String>,
    pub product_purl: Option<String>,
    pub product_key: Option<String>,
    pub product_cpe: Option<String>,
    pub product_digest: Option<String>,
    pub subcomponent_purl: Option<String>,
    pub subcomponent_key: Option<String>,
    /// The version the statement names for its target (the subcomponent, else the product).
    pub target_version: Option<String>,
    /// A `vers:` range of target versions (CycloneDX `affects[].versions[].range`).
    pub target_range: Option<String>,
    /// What the statement is about, canonically: the consensus groups statements by it.
    pub scope: Option<String>,
    pub status: String,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    pub statement_timestamp: Option<String>,
    pub signature_state: &'static str,
    /// The `sha256:` fingerprint of the key that verified the document's signature.
    pub signature_key: Option<String>,
    pub raw: String,
    pub source_path: String,
    pub ingested_at: String,
}

/// How `vexlake ingest vex` reads.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// A directory of PEM public keys that verify DSSE-signed documents.
    pub trust_roots: Option<PathBuf>,
    /// An issuer directory file to load into `issuers` first.
    pub issuers: Option<PathBuf>,
}

/// The statements of one document: unwrapped from a DSSE envelope when it is one (the state
/// of its signature set on every statement), then read by its format.
fn statements(
    doc: &Document,
    roots: &TrustRoots,
    tenant: &str,
    digest: &str,
    now: &str,
) -> std::result::Result<Vec<StatementRow>, String> {
    let mut value = super::parse_json(&doc.bytes)?;
    let mut signature = (SignatureState::Unsigned, None);
    if let Some(envelope) = dsse::envelope(&value) {
        let envelope = envelope?;
        signature = envelope.verify(roots);
        value = envelope.document()?;
    }
    let src = doc.source.as_str();
    let mut rows = if csaf::is_csaf(&value) {
        csaf::parse(&value, tenant, digest, src, now)?
    } else if openvex::is_openvex(&value) {
        openvex::parse(&value, tenant, digest, src, now)?
    } else if cyclonedx::is_cyclonedx(&value) {
        cyclonedx::parse(&value, tenant, digest, src, now)?
    } else {
        return Err(
            "not a VEX document: neither OpenVEX (an openvex @context), CSAF \
                    (document.csaf_version) nor CycloneDX (bomFormat)"
                .into(),
        );
    };
    for row in &mut rows {
        row.signature_state = signature.0.as_str();
        row.signature_key = signature.1.clone();
    }
    Ok(rows)
}

/// Ingests the VEX documents named by `paths` for `tenant` (after loading the issuer directory
/// of `options`, when given).
pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    options: &Options,
    progress: &ProgressBar,
) -> Result<Summary> {
    let roots = match &options.trust_roots {
        Some(dir) => TrustRoots::load(dir).map_err(EngineError::Config)?,
        None => TrustRoots::default(),
    };
    let issuer_rows = match &options.issuers {
        Some(file) => Some(issuers::read(file, tenant).map_err(EngineError::Config)?),
        None => None,
    };
    let (docs, rejects, mut summary) = super::begin(lake, paths, &[".json"], progress).await?;
    if let Some(rows) = &issuer_rows {
        issuers::store(lake, tenant, rows).await?;
        summary.rows.push((Table::Issuers, rows.len()));
    }
    ingest_documents(
        lake,
        tenant,
        &docs,
        &roots,
        rejects,
        summary,
        Utc::now(),
        progress,
    )
    .await
}

/// Ingests VEX documents already read (`begin`'s, or generated ones), stamped `ingested_at`;
/// signatures are checked against `roots`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn ingest_documents(
    lake: &Lake,
    tenant: &str,
    docs: &[Document],
    roots: &TrustRoots,
    mut rejects: Vec<Reject>,
    mut summary: Summary,
    ingested_at: chrono::DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Summary> {
    let known = super::known(lake, Table::VexStatements, tenant, "document_digest").await?;
    let now = ts(ingested_at);
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let mut invalid = 0;
    for doc in docs {
        progress.inc(1);
        let digest = sha256_id(&doc.bytes);
        match statements(doc, roots, tenant, &digest, &now) {
            Ok(_) if known.contains(&digest) || !seen.insert(digest.clone()) => {
                summary.unchanged += 1
            }
            Ok(statements) => {
                summary.landed += 1;
                if statements
                    .first()
                    .is_some_and(|s| s.signature_state == SignatureState::Invalid.as_str())
                {
                    invalid += 1;
                    tracing::warn!(
                        source = %doc.source,
                        "signature does not verify with any trust root: its statements are kept, \
                         marked invalid, and left out of the consensus"
                    );
                }
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
    summary.rows.push((Table::VexStatements, rows.len()));
    summary.invalid_signatures = invalid;
    summary.rejects = rejects;
    Ok(summary)
}
