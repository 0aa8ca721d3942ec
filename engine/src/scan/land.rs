//! Landing a scan in the lake: the SBOM documents as blobs under `images/<digest>/inventory.*`,
//! one `artifacts` row each, the inventory's `components` and `dependencies` (read back from the
//! CycloneDX JSON document, exactly as `vexlake ingest sbom` would read it), the `images` and
//! `layers` rows of an image the tenant has not seen, and a `scan.completed` event.
//!
//! A rescan that gives the same document lands nothing but its event: documents are keyed by
//! the sha256 of their bytes, which are deterministic.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Scan;
use super::formats::Format;
use crate::error::{EngineError, Result};
use crate::ingest::sbom::{self, ArtifactRow};
use crate::ingest::{known, sha256_id, ts};
use crate::lake::{EventRow, Lake, Table, rows_to_batch};

/// What landing did.
#[derive(Clone, Debug)]
pub struct Landed {
    /// The sbom id of the inventory (CycloneDX JSON) document.
    pub sbom_id: String,
    /// Each document's format and blob path.
    pub blobs: Vec<(Format, String)>,
    /// Whether the inventory was new to the tenant (else only the event was written).
    pub new_document: bool,
    pub new_image: bool,
    pub components: usize,
    pub dependencies: usize,
}

#[derive(Serialize)]
struct ImageRow<'a> {
    tenant: &'a str,
    image_digest: &'a str,
    repository: Option<&'a str>,
    tag: Option<&'a str>,
    os: Option<&'a str>,
    arch: Option<&'a str>,
    config_digest: &'a str,
    entrypoint: Vec<String>,
    labels: Vec<String>,
    created: Option<String>,
    ingested_at: &'a str,
}

#[derive(Serialize)]
struct LayerRow<'a> {
    tenant: &'a str,
    image_digest: &'a str,
    layer_index: i32,
    layer_digest: &'a str,
    diff_id: &'a str,
    media_type: &'a str,
    size: Option<i64>,
}

/// The blob path of an image's document: `images/sha256-<hex>/inventory.cdx.json`.
pub fn blob_path(image_digest: &str, format: Format) -> String {
    format!(
        "images/{}/inventory.{}",
        image_digest.replace(':', "-"),
        format.extension()
    )
}

/// Lands `scan` with its rendered `documents` (which must include CycloneDX JSON) for `tenant`.
pub async fn land(
    lake: &Lake,
    tenant: &str,
    scan: &Scan,
    documents: &[(Format, Vec<u8>)],
    now: DateTime<Utc>,
) -> Result<Landed> {
    let inventory = documents
        .iter()
        .find(|(f, _)| *f == Format::CdxJson)
        .map(|(_, b)| b)
        .ok_or_else(|| EngineError::Config("landing a scan needs its CycloneDX JSON".into()))?;
    let parsed = sbom::parse(inventory).map_err(|reason| EngineError::Input {
        path: scan.reference.clone(),
        reason: format!("the scan's own CycloneDX document does not read back: {reason}"),
    })?;
    let now_ts = ts(now);
    let known_documents = known(lake, Table::Artifacts, tenant, "sbom_id").await?;
    let known_images = known(lake, Table::Images, tenant, "image_digest").await?;
    let sbom_id = sha256_id(inventory);
    let digest = scan.image.digest.as_str();

    let mut blobs = Vec::new();
    let mut ids = Vec::new();
    for (format, bytes) in documents {
        let path = blob_path(digest, *format);
        let id = sha256_id(bytes);
        if !known_documents.contains(&id) {
            lake.put_blob(&path, bytes.clone()).await?;
        }
        blobs.push((*format, path));
        ids.push(id);
    }

    let mut written: Vec<(Table, u64)> = Vec::new();
    let new_image = !known_images.contains(digest);
    if new_image {
        let config = &scan.image.config;
        let run = config.config.clone().unwrap_or_default();
        let mut entrypoint = run.entrypoint.clone().unwrap_or_default();
        entrypoint.extend(run.cmd.clone().unwrap_or_default());
        let image = ImageRow {
            tenant,
            image_digest: digest,
            repository: scan.image.repository.as_deref(),
            tag: scan.image.tag.as_deref(),
            os: Some(config.os.as_str()).filter(|s| !s.is_empty()),
            arch: Some(config.architecture.as_str()).filter(|s| !s.is_empty()),
            config_digest: &scan.image.config_digest,
            entrypoint,
            labels: run
                .labels
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            created: config
                .created
                .as_deref()
                .and_then(crate::ingest::parse_time)
                .map(ts),
            ingested_at: &now_ts,
        };
        let b = rows_to_batch(Table::Images, &[image], vec![])?;
        written.push((Table::Images, lake.append(Table::Images, vec![b]).await?));
        let layers: Vec<LayerRow> = scan
            .layers
            .iter()
            .map(|l| LayerRow {
                tenant,
                image_digest: digest,
                layer_index: l.index as i32,
                layer_digest: &l.digest,
                diff_id: &l.diff_id,
                media_type: &l.media_type,
                size: l.size.map(|s| s as i64),
            })
            .collect();
        if !layers.is_empty() {
            let b = rows_to_batch(Table::Layers, &layers, vec![])?;
            written.push((Table::Layers, lake.append(Table::Layers, vec![b]).await?));
        }
    }

    let new_document = !known_documents.contains(&sbom_id);
    let inventory_path = blob_path(digest, Format::CdxJson);
    let rows = sbom::document_rows(
        tenant,
        &sbom_id,
        &parsed,
        &scan.reference,
        inventory_path,
        &now_ts,
    );
    let (components, dependencies) = (rows.components.len(), rows.dependencies.len());
    let mut artifacts: Vec<ArtifactRow> = Vec::new();
    for ((format, path), id) in blobs.iter().zip(&ids) {
        if known_documents.contains(id) || *format == Format::CdxJson {
            continue;
        }
        artifacts.push(ArtifactRow {
            sbom_id: id,
            format: format.name(),
            spec_version: format.spec_version(),
            serial_number: None,
            blob_path: path.clone(),
            ..rows.artifact.clone()
        });
    }
    if new_document {
        artifacts.insert(0, rows.artifact.clone());
        written.extend(
            sbom::commit_rows(lake, &rows.components, &rows.dependencies, &artifacts).await?,
        );
    } else {
        written.extend(sbom::commit_rows(lake, &[], &[], &artifacts).await?);
    }

    let occurred_at = now_ts.clone();
    let event = EventRow {
        tenant: tenant.to_string(),
        event_id: sha256_id(
            [tenant, "scan.completed", digest, &sbom_id, &occurred_at]
                .join("\u{1f}")
                .as_bytes(),
        ),
        stream: "scanner",
        ty: "scan.completed",
        subject: digest.to_string(),
        payload: serde_json::json!({
            "reference": scan.reference,
            "image_digest": digest,
            "repository": scan.image.repository,
            "tag": scan.image.tag,
            "sbom_id": sbom_id,
            "os": scan.found.os.as_ref().map(|o| o.distro()),
            "components": scan.found.components.len(),
            "layers": scan.layers.len(),
            "layers_read": scan.layers.iter().filter(|l| !l.cached).count(),
            "cache": scan.cache.to_string(),
            "analyzer": super::ANALYZER_VERSION,
            "documents": blobs.iter().map(|(f, p)| serde_json::json!({"format": f.name(), "blob": p})).collect::<Vec<_>>(),
            "new_document": new_document,
            "problems": scan.found.problems,
        })
        .to_string(),
        table_versions: serde_json::json!({
            "written": written.iter().map(|(t, v)| (t.name().to_string(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
        })
        .to_string(),
        occurred_at,
    };
    let b = rows_to_batch(Table::Events, &[event], vec![])?;
    lake.append(Table::Events, vec![b]).await?;
    Ok(Landed {
        sbom_id,
        blobs,
        new_document,
        new_image,
        components,
        dependencies,
    })
}
