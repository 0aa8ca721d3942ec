//! Version schemes and comparison.
//!
//! A first cut: strict SemVer 2.0 (with a tolerated `v` prefix and short cores) for the
//! ecosystems that use it, and a generic segment comparator for the others. Every function
//! answers `None` for a string the scheme cannot read: an undecidable comparison is never
//! guessed.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub mod generic;
pub mod semver;

/// How the versions of an ecosystem are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0 (Go modules, crates.io, npm, Hex, Pub, SwiftURL).
    Semver,
    /// Numeric and word segments, with the usual pre-release words ranked below a release.
    Generic,
}

impl Scheme {
    /// The scheme of an OSV ecosystem name such as `Go`, `PyPI` or `Debian:12`.
    pub fn for_ecosystem(ecosystem: &str) -> Scheme {
        let family = ecosystem.split(':').next().unwrap_or_default();
        match family {
            "Go" | "crates.io" | "npm" | "Hex" | "Pub" | "SwiftURL" => Scheme::Semver,
            _ => Scheme::Generic,
        }
    }
}

impl FromStr for Scheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "semver" => Ok(Scheme::Semver),
            "generic" => Ok(Scheme::Generic),
            other => Err(format!("unknown version scheme {other:?}")),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Semver => "semver",
            Scheme::Generic => "generic",
        })
    }
}

/// Compares two versions under `scheme`; `None` when either cannot be read.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    match scheme {
        Scheme::Semver => Some(semver::SemVer::parse(a)?.cmp(&semver::SemVer::parse(b)?)),
        Scheme::Generic => Some(generic::Generic::parse(a)?.cmp(&generic::Generic::parse(b)?)),
    }
}

/// A parsed version under some scheme, for sorting many versions once.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Parsed {
    Semver(semver::SemVer),
    Generic(generic::Generic),
}

/// Parses `v` under `scheme`; `None` when it cannot be read.
pub fn parse(scheme: Scheme, v: &str) -> Option<Parsed> {
    match scheme {
        Scheme::Semver => semver::SemVer::parse(v).map(Parsed::Semver),
        Scheme::Generic => generic::Generic::parse(v).map(Parsed::Generic),
    }
}
