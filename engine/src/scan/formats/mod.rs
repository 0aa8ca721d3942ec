//! SBOM output formats. Each renders a [`Scan`] into bytes; the same scan gives the same
//! bytes (components sorted by purl, no wall-clock time unless one is given).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use vexlake_udfs::kernels::purl::{Components, Purl};

use super::Scan;
use super::analyzers::Manager;
use super::stitch::Component;

pub mod cyclonedx;
pub mod protobuf;
pub mod spdx;

/// An SBOM format `vexlake scan --format` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Format {
    /// CycloneDX 1.6 JSON.
    CdxJson,
    /// CycloneDX 1.6 protobuf (the official bom-1.6.proto).
    CdxPb,
    /// SPDX 3.0.1 JSON-LD.
    SpdxJson,
}

impl Format {
    /// The name stored in `artifacts.format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::CdxJson => "cdx-json",
            Format::CdxPb => "cdx-pb",
            Format::SpdxJson => "spdx-json",
        }
    }

    /// The file name ending: `inventory.cdx.json`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::CdxJson => "cdx.json",
            Format::CdxPb => "cdx.pb",
            Format::SpdxJson => "spdx.json",
        }
    }

    pub fn spec_version(self) -> &'static str {
        match self {
            Format::CdxJson | Format::CdxPb => "1.6",
            Format::SpdxJson => "3.0.1",
        }
    }
}

/// What every format needs beyond the scan.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// The document's creation time (`--timestamp`); without it no wall-clock time is written
    /// (SPDX, which requires one, gets the image's creation time, else the Unix epoch).
    pub timestamp: Option<DateTime<Utc>>,
}

/// Renders `scan` in `format`.
pub fn render(scan: &Scan, format: Format, options: &RenderOptions) -> Vec<u8> {
    match format {
        Format::CdxJson => cyclonedx::render(scan, options),
        Format::CdxPb => protobuf::render(scan, options),
        Format::SpdxJson => spdx::render(scan, options),
    }
}

/// The image's name: the last segment of its repository, else `image`.
pub(crate) fn image_name(scan: &Scan) -> String {
    scan.image
        .repository
        .as_deref()
        .and_then(|r| r.rsplit('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("image")
        .to_ascii_lowercase()
}

/// The image's purl: `pkg:oci/NAME@DIGEST?arch=..&repository_url=..&tag=..`.
pub(crate) fn image_purl(scan: &Scan) -> String {
    let name = image_name(scan);
    let mut qualifiers = Vec::new();
    if !scan.image.config.architecture.is_empty() {
        qualifiers.push(("arch", scan.image.config.architecture.as_str()));
    }
    if let Some(r) = &scan.image.repository {
        qualifiers.push(("repository_url", r.as_str()));
    }
    if let Some(t) = &scan.image.tag {
        qualifiers.push(("tag", t.as_str()));
    }
    Purl::build(&Components {
        ty: Some("oci"),
        name: Some(&name),
        version: Some(&scan.image.digest),
        qualifiers,
        ..Components::default()
    })
    .map(|p| p.canonical())
    .unwrap_or_else(|_| format!("pkg:oci/image@{}", scan.image.digest))
}

/// A name-based UUID (the version 5 layout, from SHA-256 instead of SHA-1) for `parts`: the
/// same image gives the same serial number.
pub(crate) fn stable_uuid(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\u{1f}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The version as people read it: rpm's epoch joined in (`1:3.0.7-18.el9`).
pub(crate) fn display_version(c: &Component) -> String {
    match (c.manager, c.package.epoch) {
        (Manager::Rpm, Some(e)) => format!("{e}:{}", c.package.version),
        _ => c.package.version.clone(),
    }
}

/// The tool that made the document.
pub(crate) const TOOL: &str = "vexlake";
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `vexlake:` properties of a component: where it was found and how.
pub(crate) fn properties(c: &Component) -> Vec<(&'static str, String)> {
    let mut p = vec![
        ("vexlake:layer:diff_id", c.layer.clone()),
        ("vexlake:layer:index", c.layer_index.to_string()),
        ("vexlake:package:manager", c.manager.name().to_string()),
        ("vexlake:path", c.path.clone()),
    ];
    if let Some(s) = &c.package.source {
        p.push(("vexlake:package:source", s.clone()));
    }
    if let Some(v) = &c.package.source_version {
        p.push(("vexlake:package:source_version", v.clone()));
    }
    if let Some(u) = c.usage {
        p.push(("vexlake:usage", u.to_string()));
    }
    p
}

/// The document's own properties: for the usage view, the command it follows, the files of
/// its closure no package owns and what it names that the image lacks.
pub(crate) fn document_properties(scan: &Scan) -> Vec<(&'static str, String)> {
    let mut p = vec![("vexlake:view", scan.view.name().to_string())];
    if let (super::View::Usage, Some(u)) = (scan.view, &scan.found.usage) {
        p.push(("vexlake:usage:argv", serde_json::json!(u.argv).to_string()));
        p.extend(
            u.unowned
                .iter()
                .map(|(f, r)| ("vexlake:usage:unowned", format!("/{f} ({})", r.name()))),
        );
        p.extend(
            u.unresolved
                .iter()
                .map(|m| ("vexlake:usage:unresolved", m.clone())),
        );
    }
    p
}
