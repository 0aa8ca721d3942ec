//! CycloneDX 1.6 protobuf: the same document as [`super::cyclonedx`], encoded with the types
//! prost generates from the official `bom-1.6.proto` (see `engine/build.rs`).

use prost::Message;

use super::RenderOptions;
use super::cyclonedx::{self, Bom};
use crate::scan::Scan;

/// The types generated from `datasets/schemas/bom-1.6.proto`.
#[allow(clippy::all, missing_docs, deprecated)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/cyclonedx.v1_6.rs"));
}

fn classification(ty: &str) -> proto::Classification {
    use proto::Classification as C;
    match ty {
        "application" => C::Application,
        "container" => C::Container,
        "operating-system" => C::OperatingSystem,
        "library" => C::Library,
        "file" => C::File,
        _ => C::Null,
    }
}

fn component(c: &cyclonedx::Component) -> proto::Component {
    proto::Component {
        r#type: classification(c.ty) as i32,
        bom_ref: c.bom_ref.clone(),
        group: c.group.clone(),
        name: c.name.clone(),
        version: c.version.clone().unwrap_or_default(),
        description: c.description.clone(),
        purl: c.purl.clone(),
        licenses: c
            .licenses
            .iter()
            .map(|l| proto::LicenseChoice {
                choice: Some(proto::license_choice::Choice::License(proto::License {
                    license: Some(proto::license::License::Name(l.license.name.clone())),
                    ..Default::default()
                })),
                ..Default::default()
            })
            .collect(),
        properties: c.properties.iter().map(property).collect(),
        ..Default::default()
    }
}

fn property(p: &cyclonedx::Property) -> proto::Property {
    proto::Property {
        name: p.name.clone(),
        value: Some(p.value.clone()),
    }
}

/// The protobuf message of a CycloneDX document.
pub(crate) fn message(bom: &Bom, options: &RenderOptions) -> proto::Bom {
    proto::Bom {
        spec_version: bom.spec_version.to_string(),
        version: Some(bom.version as i32),
        serial_number: Some(bom.serial_number.clone()),
        metadata: Some(proto::Metadata {
            timestamp: options.timestamp.map(|t| prost_types::Timestamp {
                seconds: t.timestamp(),
                nanos: 0,
            }),
            tools: Some(proto::Tool {
                components: bom
                    .metadata
                    .tools
                    .components
                    .iter()
                    .map(component)
                    .collect(),
                ..Default::default()
            }),
            component: Some(component(&bom.metadata.component)),
            properties: bom.metadata.properties.iter().map(property).collect(),
            ..Default::default()
        }),
        components: bom.components.iter().map(component).collect(),
        dependencies: bom
            .dependencies
            .iter()
            .map(|d| proto::Dependency {
                r#ref: d.reference.clone(),
                dependencies: d
                    .depends_on
                    .iter()
                    .map(|child| proto::Dependency {
                        r#ref: child.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

pub fn render(scan: &Scan, options: &RenderOptions) -> Vec<u8> {
    message(&cyclonedx::bom(scan, options), options).encode_to_vec()
}
