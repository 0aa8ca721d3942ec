//! SPDX 3.0.1 JSON-LD (no crate covers SPDX 3; `spdx-rs` stops at 2.3): a `CreationInfo`, the
//! tool as a `SoftwareAgent` and `Tool`, an `SpdxDocument` holding one `software_Sbom` whose
//! root is the image (a `software_Package` with purpose `container`), the OS and every package
//! as `software_Package`s, and `contains` and `dependsOn` relationships.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{
    RenderOptions, TOOL, TOOL_VERSION, display_version, image_name, image_purl, stable_uuid,
};
use crate::scan::Scan;

/// The creation time: `--timestamp`, else the image's creation time, else the Unix epoch
/// (SPDX requires one; neither of the latter two is the wall clock).
fn created(scan: &Scan, options: &RenderOptions) -> String {
    let format = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    options
        .timestamp
        .or_else(|| {
            scan.image
                .config
                .created
                .as_deref()
                .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
        })
        .map(format)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

pub fn render(scan: &Scan, options: &RenderOptions) -> Vec<u8> {
    let base = format!(
        "urn:vexlake:spdx:{}",
        stable_uuid(&[
            "spdx",
            &scan.image.digest,
            crate::scan::ANALYZER_VERSION,
            scan.view.name()
        ])
    );
    let id = |kind: &str| format!("{base}/{kind}");
    let info = "_:creationinfo";
    let mut graph: Vec<Value> = vec![
        json!({
            "type": "CreationInfo",
            "@id": info,
            "specVersion": "3.0.1",
            "created": created(scan, options),
            "createdBy": [id("agent")],
            "createdUsing": [id("tool")],
        }),
        json!({
            "type": "SoftwareAgent",
            "spdxId": id("agent"),
            "creationInfo": info,
            "name": TOOL,
        }),
        json!({
            "type": "Tool",
            "spdxId": id("tool"),
            "creationInfo": info,
            "name": format!("{TOOL} {TOOL_VERSION}"),
        }),
    ];
    let image = id("image");
    let mut elements = vec![image.clone()];
    let mut packages = vec![json!({
        "type": "software_Package",
        "spdxId": image,
        "creationInfo": info,
        "name": scan.image.repository.clone().unwrap_or_else(|| image_name(scan)),
        "software_packageVersion": scan.image.digest,
        "software_packageUrl": image_purl(scan),
        "software_primaryPurpose": "container",
    })];
    let mut contained = Vec::new();
    if let Some(os) = &scan.found.os {
        let os_id = id("os");
        let mut p = json!({
            "type": "software_Package",
            "spdxId": os_id,
            "creationInfo": info,
            "name": os.id,
            "software_primaryPurpose": "operatingSystem",
        });
        if let Some(v) = os.version_id.as_ref().or(os.codename.as_ref()) {
            p["software_packageVersion"] = json!(v);
        }
        if let Some(d) = &os.pretty_name {
            p["description"] = json!(d);
        }
        packages.push(p);
        elements.push(os_id.clone());
        contained.push(os_id);
    }
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (n, c) in scan.found.components.iter().enumerate() {
        let pid = id(&format!("package/{n}"));
        ids.insert(&c.bom_ref, pid.clone());
        packages.push(json!({
            "type": "software_Package",
            "spdxId": pid,
            "creationInfo": info,
            "name": c.package.name,
            "software_packageVersion": display_version(c),
            "software_packageUrl": c.purl,
            "software_primaryPurpose": "library",
        }));
        elements.push(pid.clone());
        contained.push(pid);
    }
    let mut relationships = Vec::new();
    let mut relationship = |from: &str, ty: &str, to: Vec<String>| {
        let rid = id(&format!("relationship/{}", relationships.len()));
        relationships.push(json!({
            "type": "Relationship",
            "spdxId": rid,
            "creationInfo": info,
            "from": from,
            "relationshipType": ty,
            "to": to,
            "completeness": "complete",
        }));
        rid
    };
    let mut rel_ids = Vec::new();
    if !contained.is_empty() {
        rel_ids.push(relationship(&image, "contains", contained));
    }
    for (parent, children) in &scan.found.dependencies {
        let (Some(from), false) = (ids.get(parent.as_str()), children.is_empty()) else {
            continue;
        };
        let to: Vec<String> = children
            .iter()
            .filter_map(|c| ids.get(c.as_str()).cloned())
            .collect();
        rel_ids.push(relationship(from, "dependsOn", to));
    }
    elements.extend(rel_ids);
    let sbom = id("sbom");
    graph.push(json!({
        "type": "SpdxDocument",
        "spdxId": id("document"),
        "creationInfo": info,
        "name": format!("{} {}", image_name(scan), scan.image.digest),
        "rootElement": [sbom],
        "element": std::iter::once(sbom.clone()).chain(elements.iter().cloned()).collect::<Vec<_>>(),
        "profileConformance": ["core", "software"],
    }));
    graph.push(json!({
        "type": "software_Sbom",
        "spdxId": sbom,
        "creationInfo": info,
        "rootElement": [image],
        "element": elements,
        "software_sbomType": ["analyzed"],
    }));
    graph.extend(packages);
    graph.extend(relationships);
    let doc = json!({
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": graph,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("an SBOM serializes");
    out.push(b'\n');
    out
}
