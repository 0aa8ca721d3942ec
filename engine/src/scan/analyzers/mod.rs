//! Analyzers: which files of a layer matter, and what each holds. One file per package manager;
//! each parses bytes into [`Package`]s and knows nothing of layers, caches or output formats.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub mod apk;
pub mod dart;
pub mod dotnet;
pub mod dpkg;
pub mod elixir;
pub mod golang;
pub mod java;
pub mod npm;
pub mod os_release;
pub mod php;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod rust;
pub mod swift;

/// A package manager whose database an image carries, or a language ecosystem whose
/// manifests, lock files or binaries name packages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Dpkg,
    Apk,
    Rpm,
    Npm,
    Python,
    Maven,
    Go,
    Cargo,
    Gem,
    Composer,
    Nuget,
    Pub,
    Swift,
    Hex,
}

impl Manager {
    /// The purl type of its packages.
    pub fn purl_type(self) -> &'static str {
        match self {
            Manager::Dpkg => "deb",
            Manager::Apk => "apk",
            Manager::Rpm => "rpm",
            Manager::Npm => "npm",
            Manager::Python => "pypi",
            Manager::Maven => "maven",
            Manager::Go => "golang",
            Manager::Cargo => "cargo",
            Manager::Gem => "gem",
            Manager::Composer => "composer",
            Manager::Nuget => "nuget",
            Manager::Pub => "pub",
            Manager::Swift => "swift",
            Manager::Hex => "hex",
        }
    }

    /// An operating system's package manager (its purls carry the distro).
    pub fn is_os(self) -> bool {
        matches!(self, Manager::Dpkg | Manager::Apk | Manager::Rpm)
    }

    /// Its name as the SBOM's `vexlake:package:manager` property and the scan summary write it.
    pub fn name(self) -> &'static str {
        match self {
            Manager::Dpkg => "dpkg",
            Manager::Apk => "apk",
            Manager::Rpm => "rpm",
            Manager::Npm => "npm",
            Manager::Python => "python",
            Manager::Maven => "maven",
            Manager::Go => "go",
            Manager::Cargo => "cargo",
            Manager::Gem => "gem",
            Manager::Composer => "composer",
            Manager::Nuget => "nuget",
            Manager::Pub => "pub",
            Manager::Swift => "swift",
            Manager::Hex => "hex",
        }
    }
}

/// A package, as its package manager or its ecosystem's files record it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Package {
    /// The purl namespace of a language package: a Maven group id, an npm scope (`@types`), a
    /// Composer vendor, a Go module's path up to its last segment, a Swift package's host and
    /// owner. OS packages take theirs from the distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
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
    /// Where inside the file that lists it the package was found, when that file is an
    /// archive: `WEB-INF/lib/guava-32.1.jar!/META-INF/maven/com.google.guava/guava/pom.properties`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The files it installed, as normalized paths, where its database lists them with the
    /// package (rpm headers, apk `F:`/`R:` lines); dpkg's and Python's lists are files of
    /// their own ([`Found::Files`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// What a watched file holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Found {
    Packages {
        manager: Manager,
        packages: Vec<Package>,
        /// A jar manifest's `Class-Path`: the jars it loads, relative to its directory.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        class_path: Vec<String>,
    },
    OsRelease {
        fields: std::collections::BTreeMap<String, String>,
    },
    /// The licences a package's copyright file names (dpkg's `usr/share/doc/NAME/copyright`).
    Licenses { licenses: Vec<String> },
    /// A native binary or library, and the packages compiled into it.
    Binary(Box<crate::scan::native::Binary>),
    /// The files one package installed: dpkg's `info/NAME.list` (or a distroless
    /// `status.d/NAME.md5sums`), a Python distribution's `RECORD`. `package` is the dpkg
    /// package name, or the `*.dist-info` directory whose METADATA names the distribution.
    Files {
        manager: Manager,
        package: String,
        files: Vec<String>,
    },
    /// An executable script: its `#!` line's interpreter and arguments.
    Script {
        interpreter: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        args: Vec<String>,
    },
    /// `etc/ld.so.conf` or one of `etc/ld.so.conf.d/*.conf`: directories and `include`s.
    LdSoConf { lines: Vec<String> },
}

impl Found {
    /// The packages it lists, with their manager.
    pub fn packages(&self) -> Option<(Manager, &[Package])> {
        match self {
            Found::Packages {
                manager, packages, ..
            } => Some((*manager, packages)),
            Found::Binary(b) => b.manager.map(|m| (m, b.packages.as_slice())),
            _ => None,
        }
    }
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
    NpmPackage,
    NpmLock,
    YarnLock,
    PnpmLock,
    PythonMetadata,
    JavaArchive,
    GoMod,
    CargoLock,
    Gemspec,
    GemfileLock,
    ComposerInstalled,
    ComposerLock,
    DotnetDeps,
    NugetLock,
    PubspecLock,
    SwiftResolved,
    MixLock,
    DpkgFiles,
    PythonRecord,
    LdSoConf,
}

/// Paths that are read: the package databases (at every place the managers keep them),
/// os-release, dpkg's copyright files and the language ecosystems' manifests, lock files and
/// archives. Paths are normalized (no leading `/`). Binaries are found by their first bytes,
/// not their names.
pub fn watched(path: &str) -> Option<Watch> {
    os_watched(path).or_else(|| language_watched(path))
}

/// The language files, by name. Lock files inside installed packages (`node_modules`,
/// Debian's `usr/share/nodejs`) belong to those packages' own development and describe nothing
/// installed, so they are not read.
fn language_watched(path: &str) -> Option<Watch> {
    let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
    let in_package = path.starts_with("node_modules/")
        || path.contains("/node_modules/")
        || path.starts_with("usr/share/nodejs/")
        || path.starts_with("usr/lib/nodejs/");
    let lock = |w| (!in_package).then_some(w);
    match base {
        // Installed packages, Debian's node-* packages under usr/share/nodejs, and an
        // application's own package.json (one without a name and a version names nothing).
        "package.json" => Some(Watch::NpmPackage),
        "package-lock.json" | "npm-shrinkwrap.json" => lock(Watch::NpmLock),
        "yarn.lock" => lock(Watch::YarnLock),
        "pnpm-lock.yaml" => lock(Watch::PnpmLock),
        "METADATA" if dir.ends_with(".dist-info") => Some(Watch::PythonMetadata),
        "RECORD" if dir.ends_with(".dist-info") => Some(Watch::PythonRecord),
        "PKG-INFO" if dir.ends_with(".egg-info") => Some(Watch::PythonMetadata),
        "go.mod" => lock(Watch::GoMod),
        "Cargo.lock" => lock(Watch::CargoLock),
        "Gemfile.lock" => lock(Watch::GemfileLock),
        "installed.json" if dir.ends_with("vendor/composer") => Some(Watch::ComposerInstalled),
        "composer.lock" => lock(Watch::ComposerLock),
        "packages.lock.json" => lock(Watch::NugetLock),
        "pubspec.lock" => lock(Watch::PubspecLock),
        "Package.resolved" => lock(Watch::SwiftResolved),
        "mix.lock" => lock(Watch::MixLock),
        _ if base.ends_with(".deps.json") => Some(Watch::DotnetDeps),
        _ if base.ends_with(".gemspec") && dir.ends_with("specifications") => Some(Watch::Gemspec),
        // distutils' single-file egg-info is PKG-INFO itself.
        _ if base.ends_with(".egg-info") && dir.contains("-packages") => {
            Some(Watch::PythonMetadata)
        }
        _ if java::is_archive(base) => Some(Watch::JavaArchive),
        _ => None,
    }
}

fn os_watched(path: &str) -> Option<Watch> {
    match path {
        "var/lib/dpkg/status" => Some(Watch::DpkgStatus),
        "lib/apk/db/installed" | "usr/lib/apk/db/installed" => Some(Watch::ApkInstalled),
        "var/lib/rpm/rpmdb.sqlite" | "usr/lib/sysimage/rpm/rpmdb.sqlite" => Some(Watch::RpmSqlite),
        "var/lib/rpm/Packages" | "usr/lib/sysimage/rpm/Packages" => Some(Watch::RpmBerkeley),
        "var/lib/rpm/Packages.db" | "usr/lib/sysimage/rpm/Packages.db" => Some(Watch::RpmNdb),
        "etc/os-release" | "usr/lib/os-release" => Some(Watch::OsRelease),
        "etc/ld.so.conf" => Some(Watch::LdSoConf),
        _ => {
            if let Some(name) = path.strip_prefix("etc/ld.so.conf.d/") {
                return (name.ends_with(".conf") && !name.contains('/')).then_some(Watch::LdSoConf);
            }
            if let Some(name) = path.strip_prefix("var/lib/dpkg/info/") {
                return (name.ends_with(".list") && !name.contains('/'))
                    .then_some(Watch::DpkgFiles);
            }
            if let Some(name) = path.strip_prefix("var/lib/dpkg/status.d/")
                && name.ends_with(".md5sums")
                && !name.contains('/')
            {
                return Some(Watch::DpkgFiles);
            }
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

/// Parses a watched file into what it holds and the problems met on the way (parts of an
/// archive that could not be read); an error when nothing could be. `work` is the scan's
/// temporary directory (rpm's sqlite database is opened from a copy there).
pub fn analyze(
    watch: Watch,
    path: &str,
    bytes: &[u8],
    work: &Path,
) -> Result<(Found, Vec<String>), String> {
    // What could not be read inside an archive; everything else is all or nothing.
    let mut problems = Vec::new();
    let packages = |manager, packages| Found::Packages {
        manager,
        packages,
        class_path: Vec::new(),
    };
    let found = match watch {
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
        Watch::NpmPackage => Ok(packages(Manager::Npm, npm::parse_package_json(bytes)?)),
        Watch::NpmLock => Ok(packages(Manager::Npm, npm::parse_package_lock(bytes)?)),
        Watch::YarnLock => Ok(packages(Manager::Npm, npm::parse_yarn_lock(bytes)?)),
        Watch::PnpmLock => Ok(packages(Manager::Npm, npm::parse_pnpm_lock(bytes)?)),
        Watch::PythonMetadata => Ok(packages(Manager::Python, python::parse_metadata(bytes)?)),
        Watch::JavaArchive => {
            let archive = java::parse_archive(path, bytes);
            problems = archive.problems;
            Ok(Found::Packages {
                manager: Manager::Maven,
                packages: archive.packages,
                class_path: archive.class_path,
            })
        }
        Watch::GoMod => Ok(packages(Manager::Go, golang::parse_go_mod(bytes)?)),
        Watch::CargoLock => Ok(packages(Manager::Cargo, rust::parse_cargo_lock(bytes)?)),
        Watch::Gemspec => Ok(packages(Manager::Gem, ruby::parse_gemspec(bytes)?)),
        Watch::GemfileLock => Ok(packages(Manager::Gem, ruby::parse_gemfile_lock(bytes)?)),
        Watch::ComposerInstalled => Ok(packages(Manager::Composer, php::parse_installed(bytes)?)),
        Watch::ComposerLock => Ok(packages(Manager::Composer, php::parse_lock(bytes)?)),
        Watch::DotnetDeps => Ok(packages(Manager::Nuget, dotnet::parse_deps_json(bytes)?)),
        Watch::NugetLock => Ok(packages(
            Manager::Nuget,
            dotnet::parse_packages_lock(bytes)?,
        )),
        Watch::PubspecLock => Ok(packages(Manager::Pub, dart::parse_pubspec_lock(bytes)?)),
        Watch::SwiftResolved => Ok(packages(Manager::Swift, swift::parse_resolved(bytes)?)),
        Watch::MixLock => Ok(packages(Manager::Hex, elixir::parse_mix_lock(bytes)?)),
        Watch::DpkgFiles => {
            let base = path.rsplit('/').next().unwrap_or(path);
            let (name, md5sums) = match base.strip_suffix(".md5sums") {
                Some(n) => (n, true),
                None => (base.strip_suffix(".list").unwrap_or(base), false),
            };
            Ok(Found::Files {
                manager: Manager::Dpkg,
                // `libc6:amd64.list`: multi-arch packages carry their architecture.
                package: name.split(':').next().unwrap_or(name).to_string(),
                files: dpkg::file_list(bytes, md5sums),
            })
        }
        Watch::PythonRecord => {
            let dist_info = path.rsplit_once('/').map_or("", |(d, _)| d);
            Ok(Found::Files {
                manager: Manager::Python,
                package: dist_info.to_string(),
                files: python::record_files(dist_info, bytes),
            })
        }
        Watch::LdSoConf => Ok(Found::LdSoConf {
            lines: String::from_utf8_lossy(bytes)
                .lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
        }),
    };
    found.map(|f| (f, problems))
}

/// Splits a control-file style text (dpkg status, apk installed) into paragraphs separated by
/// blank lines.
pub(crate) fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
        .flat_map(|p| p.split("\r\n\r\n"))
        .map(|p| p.trim_matches(['\n', '\r']))
        .filter(|p| !p.trim().is_empty())
}
