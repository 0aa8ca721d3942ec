//! CycloneDX JSON, specVersion 1.2 to 1.6.

use serde::Deserialize;
use serde_json::Value;

use super::{Component, ParsedSbom, oci_digest};

const VERSIONS: [&str; 5] = ["1.2", "1.3", "1.4", "1.5", "1.6"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: String,
    spec_version: String,
    serial_number: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<CdxComponent>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Metadata {
    component: Option<CdxComponent>,
    #[serde(default)]
    properties: Vec<Property>,
}

#[derive(Deserialize)]
struct Property {
    name: String,
    value: Option<String>,
}

/// The subject's labels, `key=value`: the properties of the BOM's metadata and of the
/// component it describes. A property named `<tool>:…:labels:KEY` (as scanners write an
/// image's labels) is the label `KEY`.
fn labels(metadata: Option<&Metadata>) -> Vec<String> {
    let Some(m) = metadata else {
        return Vec::new();
    };
    let subject = m.component.iter().flat_map(|c| &c.properties);
    let mut labels: Vec<String> = m
        .properties
        .iter()
        .chain(subject)
        .map(|p| {
            let lower = p.name.to_ascii_lowercase();
            let key = match lower.rfind(":labels:") {
                Some(i) => &p.name[i + ":labels:".len()..],
                None => p.name.as_str(),
            };
            format!("{key}={}", p.value.as_deref().unwrap_or(""))
        })
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

#[derive(Deserialize)]
struct CdxComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    group: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    #[serde(default)]
    licenses: Vec<Value>,
    #[serde(default)]
    hashes: Vec<Hash>,
    #[serde(default)]
    components: Vec<CdxComponent>,
    #[serde(default)]
    properties: Vec<Property>,
}

#[derive(Deserialize)]
struct Hash {
    alg: String,
    content: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(default)]
    depends_on: Vec<String>,
}

fn license_names(licenses: &[Value]) -> Vec<String> {
    licenses
        .iter()
        .filter_map(|l| {
            l.get("expression")
                .or_else(|| l.pointer("/license/id"))
                .or_else(|| l.pointer("/license/name"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

/// The value of the first of `names` among a component's properties.
fn property(properties: &[Property], names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        properties
            .iter()
            .find(|p| p.name == *n)
            .and_then(|p| p.value.clone())
    })
}

/// Where a component was found, as scanners record it in properties: vexlake's own, Syft's and
/// Trivy's names.
const LAYER_PROPERTIES: [&str; 4] = [
    "vexlake:layer:diff_id",
    "aquasecurity:trivy:LayerDiffID",
    "syft:location:0:layerID",
    "aquasecurity:trivy:LayerDigest",
];
const PATH_PROPERTIES: [&str; 3] = [
    "vexlake:path",
    "syft:location:0:path",
    "aquasecurity:trivy:FilePath",
];

fn flatten(components: Vec<CdxComponent>, out: &mut Vec<Component>) {
    for c in components {
        let name = match (&c.group, &c.name) {
            (Some(g), Some(n)) if !g.is_empty() => Some(format!("{g}:{n}")),
            (_, n) => n.clone(),
        };
        let bom_ref = c
            .bom_ref
            .clone()
            .or_else(|| c.purl.clone())
            .unwrap_or_else(|| format!("#{}", out.len()));
        out.push(Component {
            bom_ref,
            name,
            version: c.version,
            purl: c.purl,
            licenses: license_names(&c.licenses),
            hashes: c
                .hashes
                .iter()
                .map(|h| format!("{}:{}", h.alg, h.content))
                .collect(),
            cpe: c.cpe,
            layer: property(&c.properties, &LAYER_PROPERTIES),
            path: property(&c.properties, &PATH_PROPERTIES),
        });
        flatten(c.components, out);
    }
}

pub fn parse(value: Value) -> Result<ParsedSbom, String> {
    let bom: Bom = serde_json::from_value(value).map_err(|e| format!("invalid CycloneDX: {e}"))?;
    if bom.bom_format != "CycloneDX" {
        return Err(format!(
            "bomFormat is {:?}, expected \"CycloneDX\"",
            bom.bom_format
        ));
    }
    if !VERSIONS.contains(&bom.spec_version.as_str()) {
        return Err(format!(
            "unsupported CycloneDX specVersion {:?} (supported: {})",
            bom.spec_version,
            VERSIONS.join(", ")
        ));
    }
    let subject = bom.metadata.as_ref().and_then(|m| m.component.as_ref());
    let image_digest = subject.and_then(|c| {
        c.purl.as_deref().and_then(oci_digest).or_else(|| {
            (c.ty.as_deref() == Some("container"))
                .then(|| c.version.clone())
                .flatten()
                .filter(|v| v.starts_with("sha256:"))
        })
    });
    let name = subject.and_then(|c| c.name.clone());
    let subject_purl = subject.and_then(|c| c.purl.clone());
    let labels = labels(bom.metadata.as_ref());
    let mut components = Vec::new();
    flatten(bom.components, &mut components);
    let dependencies = bom
        .dependencies
        .into_iter()
        .flat_map(|d| {
            let parent = d.reference;
            d.depends_on
                .into_iter()
                .map(move |child| (parent.clone(), child))
        })
        .collect();
    Ok(ParsedSbom {
        format: "cdx-json",
        spec_version: bom.spec_version,
        name,
        serial_number: bom.serial_number,
        image_digest,
        subject_purl,
        labels,
        components,
        dependencies,
    })
}
