//! SPDX 2.2 and 2.3 JSON.

use serde::Deserialize;

use super::{Component, ParsedSbom, oci_digest};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    spdx_version: String,
    name: Option<String>,
    document_namespace: Option<String>,
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: Option<String>,
    version_info: Option<String>,
    license_concluded: Option<String>,
    license_declared: Option<String>,
    #[serde(default)]
    checksums: Vec<Checksum>,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: String,
    checksum_value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: Option<String>,
    reference_type: String,
    reference_locator: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: String,
    related_spdx_element: String,
}

fn license(l: &Option<String>) -> Option<String> {
    l.clone()
        .filter(|s| !s.is_empty() && s != "NOASSERTION" && s != "NONE")
}

pub fn parse(value: serde_json::Value) -> Result<ParsedSbom, String> {
    let doc: Document = serde_json::from_value(value).map_err(|e| format!("invalid SPDX: {e}"))?;
    let version = doc.spdx_version.trim_start_matches("SPDX-").to_string();
    if !matches!(version.as_str(), "2.2" | "2.3") {
        return Err(format!(
            "unsupported spdxVersion {:?} (supported: SPDX-2.2, SPDX-2.3)",
            doc.spdx_version
        ));
    }
    let mut image_digest = None;
    let described: Vec<String> = doc
        .document_describes
        .iter()
        .cloned()
        .chain(
            doc.relationships
                .iter()
                .filter(|r| r.relationship_type == "DESCRIBES")
                .map(|r| r.related_spdx_element.clone()),
        )
        .collect();
    let mut subject_purl = None;
    let components = doc
        .packages
        .into_iter()
        .map(|p| {
            let purl = p
                .external_refs
                .iter()
                .find(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator.clone());
            if image_digest.is_none() {
                image_digest = purl.as_deref().and_then(oci_digest);
            }
            if subject_purl.is_none() && described.contains(&p.spdx_id) {
                subject_purl = purl.clone();
            }
            let cpe = p
                .external_refs
                .iter()
                .find(|r| {
                    r.reference_category.as_deref().map(|c| c.replace('_', "-"))
                        == Some("SECURITY".into())
                        && r.reference_type.starts_with("cpe")
                })
                .map(|r| r.reference_locator.clone());
            Component {
                bom_ref: p.spdx_id,
                name: p.name,
                version: p.version_info,
                purl,
                licenses: license(&p.license_concluded)
                    .or_else(|| license(&p.license_declared))
                    .into_iter()
                    .collect(),
                hashes: p
                    .checksums
                    .iter()
                    .map(|c| format!("{}:{}", c.algorithm, c.checksum_value))
                    .collect(),
                cpe,
                layer: None,
                path: None,
            }
        })
        .collect();
    let dependencies = doc
        .relationships
        .into_iter()
        .filter_map(|r| match r.relationship_type.as_str() {
            "DEPENDS_ON" | "CONTAINS" => Some((r.spdx_element_id, r.related_spdx_element)),
            "DEPENDENCY_OF" | "CONTAINED_BY" => Some((r.related_spdx_element, r.spdx_element_id)),
            _ => None,
        })
        .collect();
    Ok(ParsedSbom {
        format: "spdx-json",
        spec_version: format!("SPDX-{version}"),
        name: doc.name,
        serial_number: doc.document_namespace,
        image_digest,
        subject_purl,
        // SPDX 2 has no labels.
        labels: Vec::new(),
        components,
        dependencies,
    })
}
