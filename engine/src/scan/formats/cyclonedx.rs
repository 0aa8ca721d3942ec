//! CycloneDX 1.6 JSON, written with serde structs of our own: `cyclonedx-bom` stops at 1.5.

use serde::Serialize;

use super::{
    RenderOptions, TOOL, TOOL_VERSION, display_version, image_name, image_purl, properties,
    stable_uuid,
};
use crate::scan::Scan;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom {
    pub(crate) bom_format: &'static str,
    pub(crate) spec_version: &'static str,
    pub(crate) serial_number: String,
    pub(crate) version: u32,
    pub(crate) metadata: Metadata,
    pub(crate) components: Vec<Component>,
    pub(crate) dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
pub(crate) struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) timestamp: Option<String>,
    pub(crate) tools: Tools,
    pub(crate) component: Component,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) properties: Vec<Property>,
}

#[derive(Serialize)]
pub(crate) struct Tools {
    pub(crate) components: Vec<Component>,
}

#[derive(Serialize, Default)]
pub(crate) struct Component {
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    pub(crate) bom_ref: Option<String>,
    #[serde(rename = "type")]
    pub(crate) ty: &'static str,
    /// A Maven group id, an npm scope, a Composer vendor, a Go module's path prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group: Option<String>,
    pub(crate) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) licenses: Vec<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) properties: Vec<Property>,
}

#[derive(Serialize)]
pub(crate) struct License {
    pub(crate) license: LicenseName,
}

#[derive(Serialize)]
pub(crate) struct LicenseName {
    pub(crate) name: String,
}

#[derive(Serialize)]
pub(crate) struct Property {
    pub(crate) name: String,
    pub(crate) value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Dependency {
    #[serde(rename = "ref")]
    pub(crate) reference: String,
    pub(crate) depends_on: Vec<String>,
}

fn property(name: impl Into<String>, value: impl Into<String>) -> Property {
    Property {
        name: name.into(),
        value: value.into(),
    }
}

/// The `bom-ref` of the operating system component.
pub(crate) fn os_ref(os: &crate::scan::stitch::Os) -> String {
    format!("os:{}", os.distro())
}

/// The CycloneDX document of a scan (also what [`super::protobuf`] encodes).
pub(crate) fn bom(scan: &Scan, options: &RenderOptions) -> Bom {
    let image_ref = image_purl(scan);
    let mut image_properties: Vec<Property> = scan
        .image
        .config
        .config
        .as_ref()
        .and_then(|c| c.labels.as_ref())
        .into_iter()
        .flatten()
        .map(|(k, v)| property(format!("vexlake:image:labels:{k}"), v.clone()))
        .collect();
    image_properties.sort_by(|a, b| a.name.cmp(&b.name));
    let mut components: Vec<Component> = Vec::new();
    let mut top = Vec::new();
    if let Some(os) = &scan.found.os {
        top.push(os_ref(os));
        components.push(Component {
            bom_ref: Some(os_ref(os)),
            ty: "operating-system",
            name: os.id.clone(),
            version: os.version_id.clone().or_else(|| os.codename.clone()),
            description: os.pretty_name.clone(),
            ..Component::default()
        });
    }
    for c in &scan.found.components {
        top.push(c.bom_ref.clone());
        components.push(Component {
            bom_ref: Some(c.bom_ref.clone()),
            ty: "library",
            group: c.package.namespace.clone(),
            name: c.package.name.clone(),
            version: Some(display_version(c)),
            licenses: c
                .package
                .licenses
                .iter()
                .map(|l| License {
                    license: LicenseName { name: l.clone() },
                })
                .collect(),
            purl: Some(c.purl.clone()),
            properties: properties(c)
                .into_iter()
                .map(|(k, v)| property(k, v))
                .collect(),
            ..Component::default()
        });
    }
    // Binaries no package owns, as files: what they link, their build id, and the package
    // their `.note.package` names (its purl, when the note carries one).
    for u in &scan.found.unowned {
        let bom_ref = format!("file:/{}", u.path);
        top.push(bom_ref.clone());
        let b = &u.binary;
        let mut props = vec![
            property("vexlake:layer:diff_id", u.layer.clone()),
            property("vexlake:layer:index", u.layer_index.to_string()),
            property("vexlake:path", u.path.clone()),
        ];
        if let Some(f) = b.format {
            props.push(property(
                "vexlake:binary:format",
                format!("{f:?}").to_lowercase(),
            ));
        }
        for (name, value) in [
            ("vexlake:binary:soname", b.soname.clone()),
            ("vexlake:binary:interpreter", b.interpreter.clone()),
            ("vexlake:binary:build_id", b.build_id.clone()),
            (
                "vexlake:binary:needed",
                (!b.needed.is_empty()).then(|| b.needed.join(" ")),
            ),
            (
                "vexlake:binary:runpath",
                (!b.runpath.is_empty()).then(|| b.runpath.join(":")),
            ),
            (
                "vexlake:binary:rpath",
                (!b.rpath.is_empty()).then(|| b.rpath.join(":")),
            ),
        ] {
            if let Some(v) = value {
                props.push(property(name, v));
            }
        }
        for (k, v) in &b.package_note {
            props.push(property(
                format!("vexlake:binary:package_note:{k}"),
                v.clone(),
            ));
        }
        components.push(Component {
            bom_ref: Some(bom_ref),
            ty: "file",
            name: format!("/{}", u.path),
            purl: b.note_purl(),
            properties: props,
            ..Component::default()
        });
    }
    let mut dependencies = vec![Dependency {
        reference: image_ref.clone(),
        depends_on: top,
    }];
    dependencies.extend(
        scan.found
            .dependencies
            .iter()
            .map(|(parent, children)| Dependency {
                reference: parent.clone(),
                depends_on: children.iter().cloned().collect(),
            }),
    );
    Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!(
            "urn:uuid:{}",
            stable_uuid(&[
                "cdx",
                &scan.image.digest,
                crate::scan::ANALYZER_VERSION,
                scan.view.name()
            ])
        ),
        version: 1,
        metadata: Metadata {
            timestamp: options
                .timestamp
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            tools: Tools {
                components: vec![Component {
                    ty: "application",
                    name: TOOL.into(),
                    version: Some(TOOL_VERSION.into()),
                    ..Component::default()
                }],
            },
            component: Component {
                bom_ref: Some(image_ref.clone()),
                ty: "container",
                name: scan
                    .image
                    .repository
                    .clone()
                    .unwrap_or_else(|| image_name(scan)),
                version: Some(scan.image.digest.clone()),
                purl: Some(image_ref),
                properties: image_properties,
                ..Component::default()
            },
            properties: super::document_properties(scan)
                .into_iter()
                .map(|(k, v)| property(k, v))
                .collect(),
        },
        components,
        dependencies,
    }
}

pub fn render(scan: &Scan, options: &RenderOptions) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&bom(scan, options)).expect("an SBOM serializes");
    out.push(b'\n');
    out
}
