//! Analyzers: which files of a layer matter, and what each holds. One file per package manager;
//! each parses bytes into [`Package`]s and knows nothing of layers, caches or output formats.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod apk;
pub mod dpkg;
pub mod os_release;
pub mod rpm;

/// A package manager whose database an image carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Dpkg,
    Apk,
    Rpm,
}

impl Manager {
    /// The purl type of its packages.
    pub fn purl_type(self) -> &'static str {
        match self {
            Manager::Dpkg => "deb",
            Manager::Apk => "apk",
            Manager::Rpm => "rpm",
        }
    }
}

/// An installed OS package, as its package manager records it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    /// The version as the manager writes it: dpkg `[epoch:]upstream[-revision]`, apk
    /// `1.2.3-r0`, rpm `version-release` (the epoch apart).
    pub version: String,
    /// rpm's epoch (dpkg keeps its epoch in the version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// The source package: dpkg `Source:` (name, and its version when it differs), apk origin,
    /// rpm `SOURCERPM` (the source rpm's file name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// What it depends on: package names or capabilities, alternatives flattened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// The names and capabilities it provides besides its own name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
}

/// What a watched file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Found {
    Packages {
        manager: Manager,
        packages: Vec<Package>,
    },
    OsRelease {
        fields: std::collections::BTreeMap<String, String>,
    },
    /// The licences a package's copyright file names (dpkg's `usr/share/doc/NAME/copyright`).
    Licenses { licenses: Vec<String> },
}

/// Why a path is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    DpkgStatus,
    ApkInstalled,
    RpmSqlite,
    RpmBerkeley,
    RpmNdb,
    OsRelease,
    DpkgCopyright,
}

/// Paths that are read: the package databases (at every place the managers keep them),
/// os-release and dpkg's copyright files. Paths are normalized (no leading `/`).
pub fn watched(path: &str) -> Option<Watch> {
    match path {
        "var/lib/dpkg/status" => Some(Watch::DpkgStatus),
        "lib/apk/db/installed" | "usr/lib/apk/db/installed" => Some(Watch::ApkInstalled),
        "var/lib/rpm/rpmdb.sqlite" | "usr/lib/sysimage/rpm/rpmdb.sqlite" => Some(Watch::RpmSqlite),
        "var/lib/rpm/Packages" | "usr/lib/sysimage/rpm/Packages" => Some(Watch::RpmBerkeley),
        "var/lib/rpm/Packages.db" | "usr/lib/sysimage/rpm/Packages.db" => Some(Watch::RpmNdb),
        "etc/os-release" | "usr/lib/os-release" => Some(Watch::OsRelease),
        _ => {
            if let Some(name) = path.strip_prefix("var/lib/dpkg/status.d/") {
                // Distroless images: one status file a package, beside its md5sums.
                return (!name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums"))
                    .then_some(Watch::DpkgStatus);
            }
            let package = path
                .strip_prefix("usr/share/doc/")?
                .strip_suffix("/copyright")?;
            (!package.is_empty() && !package.contains('/')).then_some(Watch::DpkgCopyright)
        }
    }
}

/// Parses a watched file. `work` is the scan's temporary directory (rpm's sqlite database is
/// opened from a copy there).
pub fn analyze(watch: Watch, path: &str, bytes: &[u8], work: &Path) -> Result<Found, String> {
    let packages = |manager, packages| Found::Packages { manager, packages };
    match watch {
        Watch::DpkgStatus => Ok(packages(Manager::Dpkg, dpkg::parse_status(bytes)?)),
        Watch::ApkInstalled => Ok(packages(Manager::Apk, apk::parse_installed(bytes)?)),
        Watch::RpmSqlite => Ok(packages(Manager::Rpm, rpm::parse_sqlite(bytes, work)?)),
        Watch::RpmBerkeley => Ok(packages(Manager::Rpm, rpm::parse_berkeley(bytes)?)),
        Watch::RpmNdb => Err(format!(
            "{path}: rpm's NDB database is not read yet (rpmdb.sqlite and Berkeley DB Packages are)"
        )),
        Watch::OsRelease => Ok(Found::OsRelease {
            fields: os_release::parse(bytes),
        }),
        Watch::DpkgCopyright => Ok(Found::Licenses {
            licenses: dpkg::copyright_licenses(bytes),
        }),
    }
}

/// Splits a control-file style text (dpkg status, apk installed) into paragraphs separated by
/// blank lines.
pub(crate) fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .flat_map(|p| p.split("\r\n\r\n"))
        .map(|p| p.trim_matches(['\n', '\r']))
        .filter(|p| !p.trim().is_empty())
}
