//! Landing a scan in the lake: the SBOM documents as blobs under `images/<digest>/inventory.*`
//! and `images/<digest>/usage.*`, one `artifacts` row each, each view's `components` (view
//! `inventory` or `usage`) and `dependencies` (read back from the CycloneDX JSON document,
//! exactly as `vexlake ingest sbom` would read it), the `images` and `layers` rows of an image
//! the tenant has not seen, and a `scan.completed` event.
//!
//! A rescan that gives the same document lands nothing but its event: documents are keyed by
//! the sha256 of their bytes, which are deterministic.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::formats::Format;
use super::{Scan, View};
use crate::error::{EngineError, Result};
use crate::ingest::sbom::{self, ArtifactRow};
use crate::ingest::{known, sha256_id, ts};
use crate::lake::{EventRow, Lake, Table, rows_to_batch};

/// What landing did.
#[derive(Clone, Debug)]
pub struct Landed {
    /// The sbom id of the inventory (CycloneDX JSON) document.
    pub sbom_id: String,
    /// The sbom id of the usage view's CycloneDX JSON document, when the image has one.
    pub usage_sbom_id: Option<String>,
    /// Each document's view, format and blob path.
    pub blobs: Vec<(View, Format, String)>,
    /// Whether the inventory was new to the tenant (else only the event was written).
    pub new_document: bool,
    pub new_image: bool,
    pub components: usize,
    pub dependencies: usize,
    /// The usage view's components.
    pub usage_components: usize,
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

/// The blob path of an image's document: `images/sha256-<hex>/inventory.cdx.json`,
/// `images/sha256-<hex>/usage.spdx.json`.
pub fn blob_path(image_digest: &str, view: View, format: Format) -> String {
    format!(
        "images/{}/{}.{}",
        image_digest.replace(':', "-"),
        view.name(),
        format.extension()
    )
}

/// Lands `scan` with its rendered `documents`, by view, for `tenant`. Each view's documents
/// must include its CycloneDX JSON, whose rows land.
pub async fn land(
    lake: &Lake,
    tenant: &str,
    scan: &Scan,
    documents: &[(View, Format, Vec<u8>)],
    now: DateTime<Utc>,
) -> Result<Landed> {
    let cdx = |view: View| {
        documents
            .iter()
            .find(|(v, f, _)| *v == view && *f == Format::CdxJson)
            .map(|(_, _, b)| b)
    };
    let read_back = |bytes: &[u8]| {
        sbom::parse(bytes).map_err(|reason| EngineError::Input {
            path: scan.reference.clone(),
            reason: format!("the scan's own CycloneDX document does not read back: {reason}"),
        })
    };
    let inventory = cdx(View::Inventory)
        .ok_or_else(|| EngineError::Config("landing a scan needs its CycloneDX JSON".into()))?;
    let parsed = read_back(inventory)?;
    let usage = cdx(View::Usage);
    let usage_parsed = usage.map(|u| read_back(u)).transpose()?;
    let now_ts = ts(now);
    let known_documents = known(lake, Table::Artifacts, tenant, "sbom_id").await?;
    let known_images = known(lake, Table::Images, tenant, "image_digest").await?;
    let sbom_id = sha256_id(inventory);
    let usage_sbom_id = usage.map(|u| sha256_id(u));
    let digest = scan.image.digest.as_str();

    let mut blobs = Vec::new();
    let mut ids = Vec::new();
    for (view, format, bytes) in documents {
        let path = blob_path(digest, *view, *format);
        let id = sha256_id(bytes);
        if !known_documents.contains(&id) {
            lake.put_blob(&path, bytes.clone()).await?;
        }
        blobs.push((*view, *format, path));
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

    // Each view's document rows; the other formats are artifacts of the same document.
    let new_document = !known_documents.contains(&sbom_id);
    let mut views = vec![(View::Inventory, &sbom_id, &parsed)];
    if let (Some(id), Some(p)) = (&usage_sbom_id, &usage_parsed) {
        views.push((View::Usage, id, p));
    }
    let mut components = Vec::new();
    let mut dependencies = Vec::new();
    let mut artifacts: Vec<ArtifactRow> = Vec::new();
    let mut counts = Vec::new();
    for (view, id, doc) in views {
        let rows = sbom::document_rows(
            tenant,
            id,
            doc,
            view.name(),
            &scan.reference,
            blob_path(digest, view, Format::CdxJson),
            &now_ts,
        );
        counts.push((rows.components.len(), rows.dependencies.len()));
        if known_documents.contains(id.as_str()) {
            continue;
        }
        artifacts.push(rows.artifact.clone());
        for ((v, format, path), other) in blobs.iter().zip(&ids) {
            if *v != view || *format == Format::CdxJson || known_documents.contains(other) {
                continue;
            }
            artifacts.push(ArtifactRow {
                sbom_id: other,
                format: format.name(),
                spec_version: format.spec_version(),
                serial_number: None,
                blob_path: path.clone(),
                ..rows.artifact.clone()
            });
        }
        components.extend(rows.components);
        dependencies.extend(rows.dependencies);
    }
    written.extend(sbom::commit_rows(lake, &components, &dependencies, &artifacts).await?);

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
            "documents": blobs.iter().map(|(v, f, p)| serde_json::json!({"view": v.name(), "format": f.name(), "blob": p})).collect::<Vec<_>>(),
            "new_document": new_document,
            "usage": scan.found.usage.as_ref().map(|u| serde_json::json!({
                "sbom_id": usage_sbom_id,
                "argv": u.argv,
                "components": u.components.len(),
                "unowned": u.unowned.len(),
                "unresolved": u.unresolved,
            })),
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
        usage_sbom_id,
        blobs,
        new_document,
        new_image,
        components: counts[0].0,
        dependencies: counts[0].1,
        usage_components: counts.get(1).map_or(0, |c| c.0),
    })
}
