//! SBOM ingestion: CycloneDX JSON (1.2–1.6) and SPDX 2.2/2.3 JSON into `artifacts`,
//! `components` and `dependencies`.
//!
//! Written against serde structs of our own rather than `cyclonedx-bom` (which stops at
//! CycloneDX 1.5) and `spdx-rs` (SPDX 2.3 only, and strict about fields we do not read): we
//! read only the fields vexlake stores and tolerate everything else, in every version.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::Utc;
use indicatif::ProgressBar;
use serde::Serialize;
use vexlake_udfs::kernels::purl::Purl;

use super::{Document, Kind, Reject, Summary, sha256_id, ts, write_rejects};
use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};

pub mod cyclonedx;
pub mod spdx;

/// A component as an SBOM lists it.
#[derive(Clone, Debug, Default)]
pub struct Component {
    pub bom_ref: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub licenses: Vec<String>,
    pub hashes: Vec<String>,
    pub cpe: Option<String>,
    /// The layer that holds it (a diff id or layer digest), where the SBOM says.
    pub layer: Option<String>,
    /// The file it was found in, where the SBOM says.
    pub path: Option<String>,
}

/// What vexlake keeps of one SBOM document.
#[derive(Clone, Debug, Default)]
pub struct ParsedSbom {
    pub format: &'static str,
    pub spec_version: String,
    pub name: Option<String>,
    pub serial_number: Option<String>,
    pub image_digest: Option<String>,
    /// The purl of what the SBOM describes (CycloneDX metadata.component, SPDX DESCRIBES).
    pub subject_purl: Option<String>,
    /// The subject's labels, `key=value` (CycloneDX metadata properties).
    pub labels: Vec<String>,
    pub components: Vec<Component>,
    pub dependencies: Vec<(String, String)>,
}

/// Reads an SBOM of any supported format.
pub fn parse(bytes: &[u8]) -> std::result::Result<ParsedSbom, String> {
    let value = super::parse_json(bytes)?;
    if value.get("bomFormat").is_some() {
        cyclonedx::parse(value)
    } else if value.get("spdxVersion").is_some() {
        spdx::parse(value)
    } else if value.get("@context").is_some() && value.get("@graph").is_some() {
        Err("SPDX 3 JSON-LD is not supported yet: only CycloneDX JSON and SPDX 2.x JSON".into())
    } else {
        Err("not an SBOM: neither CycloneDX JSON (bomFormat) nor SPDX JSON (spdxVersion)".into())
    }
}

/// The image digest named by an `pkg:oci/...@sha256:...` purl.
pub fn oci_digest(purl: &str) -> Option<String> {
    let p = Purl::parse(purl)?;
    (p.ty == "oci")
        .then_some(p.version)
        .flatten()
        .filter(|v| v.starts_with("sha256:"))
}

#[derive(Serialize)]
pub(crate) struct ComponentRow<'a> {
    tenant: &'a str,
    sbom_id: &'a str,
    image_digest: Option<&'a str>,
    bom_ref: &'a str,
    view: &'static str,
    purl: Option<&'a str>,
    ecosystem: Option<String>,
    package_key: Option<String>,
    name: Option<&'a str>,
    version: Option<String>,
    source_package: Option<String>,
    layer: Option<&'a str>,
    path: Option<&'a str>,
    licenses: &'a [String],
    hashes: &'a [String],
    cpe: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct DependencyRow<'a> {
    tenant: &'a str,
    sbom_id: &'a str,
    parent: &'a str,
    child: &'a str,
}

#[derive(Clone, Serialize)]
pub(crate) struct ArtifactRow<'a> {
    pub(crate) tenant: &'a str,
    pub(crate) sbom_id: &'a str,
    pub(crate) image_digest: Option<&'a str>,
    pub(crate) format: &'a str,
    pub(crate) spec_version: &'a str,
    pub(crate) view: &'static str,
    pub(crate) document_name: Option<&'a str>,
    pub(crate) serial_number: Option<&'a str>,
    pub(crate) subject_purl: Option<&'a str>,
    pub(crate) subject_key: Option<String>,
    pub(crate) labels: &'a [String],
    pub(crate) source_path: &'a str,
    pub(crate) blob_path: String,
    pub(crate) component_count: i64,
    pub(crate) ingested_at: String,
}

/// The rows of one SBOM document: its components, dependency edges and artifact.
pub(crate) struct DocumentRows<'a> {
    pub(crate) components: Vec<ComponentRow<'a>>,
    pub(crate) dependencies: Vec<DependencyRow<'a>>,
    pub(crate) artifact: ArtifactRow<'a>,
}

/// The rows of the SBOM `sbom` (sbom id `id`) read from `source_path`, its bytes stored at
/// `blob_path`.
pub(crate) fn document_rows<'a>(
    tenant: &'a str,
    id: &'a str,
    sbom: &'a ParsedSbom,
    view: &'static str,
    source_path: &'a str,
    blob_path: String,
    ingested_at: &str,
) -> DocumentRows<'a> {
    let components = sbom
        .components
        .iter()
        .map(|c| {
            let purl = c.purl.as_deref().and_then(Purl::parse);
            ComponentRow {
                tenant,
                sbom_id: id,
                image_digest: sbom.image_digest.as_deref(),
                bom_ref: &c.bom_ref,
                view,
                purl: c.purl.as_deref(),
                ecosystem: purl.as_ref().and_then(Purl::osv_ecosystem),
                package_key: purl.as_ref().map(Purl::package_key),
                name: c.name.as_deref(),
                // A deb/rpm `epoch` qualifier folded in: `1.2-3?epoch=1` is version 1:1.2-3.
                version: purl
                    .as_ref()
                    .and_then(Purl::full_version)
                    .or_else(|| c.version.clone()),
                source_package: purl
                    .as_ref()
                    .and_then(|p| p.qualifier("upstream").map(str::to_string)),
                layer: c.layer.as_deref(),
                path: c.path.as_deref(),
                licenses: &c.licenses,
                hashes: &c.hashes,
                cpe: c.cpe.as_deref(),
            }
        })
        .collect();
    let dependencies = sbom
        .dependencies
        .iter()
        .map(|(parent, child)| DependencyRow {
            tenant,
            sbom_id: id,
            parent,
            child,
        })
        .collect();
    let artifact = ArtifactRow {
        tenant,
        sbom_id: id,
        image_digest: sbom.image_digest.as_deref(),
        format: sbom.format,
        spec_version: &sbom.spec_version,
        view,
        document_name: sbom.name.as_deref(),
        serial_number: sbom.serial_number.as_deref(),
        subject_purl: sbom.subject_purl.as_deref(),
        subject_key: sbom
            .subject_purl
            .as_deref()
            .and_then(Purl::parse)
            .map(|p| p.package_key()),
        labels: &sbom.labels,
        source_path,
        blob_path,
        component_count: sbom.components.len() as i64,
        ingested_at: ingested_at.to_string(),
    };
    DocumentRows {
        components,
        dependencies,
        artifact,
    }
}

/// Commits SBOM rows: components and edges first, the artifacts last, so that an artifact
/// row means its document landed. Returns the versions written.
pub(crate) async fn commit_rows(
    lake: &Lake,
    components: &[ComponentRow<'_>],
    dependencies: &[DependencyRow<'_>],
    artifacts: &[ArtifactRow<'_>],
) -> Result<Vec<(Table, u64)>> {
    let mut written = Vec::new();
    if !components.is_empty() {
        let b = rows_to_batch(Table::Components, components, vec![])?;
        written.push((
            Table::Components,
            lake.append(Table::Components, vec![b]).await?,
        ));
    }
    if !dependencies.is_empty() {
        let b = rows_to_batch(Table::Dependencies, dependencies, vec![])?;
        written.push((
            Table::Dependencies,
            lake.append(Table::Dependencies, vec![b]).await?,
        ));
    }
    if !artifacts.is_empty() {
        let b = rows_to_batch(Table::Artifacts, artifacts, vec![])?;
        written.push((
            Table::Artifacts,
            lake.append(Table::Artifacts, vec![b]).await?,
        ));
    }
    Ok(written)
}

/// Ingests the SBOMs named by `paths` for `tenant`.
pub async fn ingest(
    lake: &Lake,
    tenant: &str,
    paths: &[PathBuf],
    progress: &ProgressBar,
) -> Result<Summary> {
    let (docs, rejects, summary) = super::begin(lake, paths, &[".json"], progress).await?;
    ingest_documents(lake, tenant, &docs, rejects, summary, Utc::now(), progress).await
}

/// Ingests SBOM documents already read (`begin`'s, or generated ones), stamped `ingested_at`.
pub(crate) async fn ingest_documents(
    lake: &Lake,
    tenant: &str,
    docs: &[Document],
    mut rejects: Vec<Reject>,
    mut summary: Summary,
    ingested_at: chrono::DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Summary> {
    let known = super::known(lake, Table::Artifacts, tenant, "sbom_id").await?;
    let mut seen = HashSet::new();
    let mut parsed: Vec<(&Document, String, ParsedSbom)> = Vec::new();
    for doc in docs {
        progress.inc(1);
        let id = sha256_id(&doc.bytes);
        match parse(&doc.bytes) {
            Ok(_) if known.contains(&id) || !seen.insert(id.clone()) => summary.unchanged += 1,
            Ok(sbom) => parsed.push((doc, id, sbom)),
            Err(reason) => rejects.push(Reject::new(doc, reason)),
        }
    }

    let now = ts(ingested_at);
    let mut component_rows = Vec::new();
    let mut dependency_rows = Vec::new();
    let mut artifact_rows = Vec::new();
    for (doc, id, sbom) in &parsed {
        let blob_path = format!("blobs/sbom/{}.json", id.replace(':', "-"));
        lake.put_blob(&blob_path, doc.bytes.clone()).await?;
        let rows = document_rows(tenant, id, sbom, "inventory", &doc.source, blob_path, &now);
        component_rows.extend(rows.components);
        dependency_rows.extend(rows.dependencies);
        artifact_rows.push(rows.artifact);
    }
    commit_rows(lake, &component_rows, &dependency_rows, &artifact_rows).await?;
    write_rejects(lake, tenant, Kind::Sbom, &rejects).await?;
    summary.landed = parsed.len();
    summary.rows = vec![
        (Table::Components, component_rows.len()),
        (Table::Dependencies, dependency_rows.len()),
    ];
    summary.rejects = rejects;
    Ok(summary)
}
