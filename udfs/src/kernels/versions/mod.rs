//! Version schemes, one module per scheme, and the OSV ecosystems that use each.
//!
//! Every function answers `None` for a string its scheme cannot read and for an ecosystem
//! without a known scheme: an undecidable comparison is never guessed.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

pub mod apk;
pub mod composer;
pub mod cran;
mod dotted;
pub mod dpkg;
pub mod hackage;
pub mod maven;
pub mod nuget;
mod number;
pub mod numeric;
pub mod pep440;
pub mod pub_semver;
pub mod rpm;
pub mod rubygems;
pub mod semver;
pub mod swift;

/// `s.trim()`, without decoding characters when both ends are plain ASCII (as nearly every
/// version is).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
    if plain(s.as_bytes().first()) && plain(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// How the versions of an ecosystem are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Semantic Versioning 2.0: npm, crates.io, Go, Hex.
    Semver,
    /// SemVer as the Swift Package Manager reads it: SwiftURL.
    Swift,
    /// pub_semver (SemVer 2.0.0-rc.1, builds ordered): Pub.
    Pub,
    /// PEP 440: PyPI.
    Pep440,
    /// Maven's ComparableVersion.
    Maven,
    /// dpkg: Debian, Ubuntu.
    Dpkg,
    /// rpmvercmp on epoch:version-release: Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE, ...
    Rpm,
    /// apk-tools: Alpine, Wolfi, Chainguard.
    Apk,
    /// Gem::Version.
    RubyGems,
    /// NuGetVersion.
    NuGet,
    /// R's package_version.
    Cran,
    /// Cabal's Version (Hackage).
    Hackage,
    /// Composer: Packagist.
    Composer,
}

impl Scheme {
    pub const ALL: [Scheme; 13] = [
        Scheme::Semver,
        Scheme::Swift,
        Scheme::Pub,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Cran,
        Scheme::Hackage,
        Scheme::Composer,
    ];

    /// The scheme of an OSV ecosystem name (`PyPI`, `Debian:12`, `Alpine:v3.19`, ...);
    /// `None` for an ecosystem vexlake has no exact scheme for.
    pub fn for_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let family = ecosystem.split(':').next().unwrap_or_default().trim();
        Some(match family {
            "npm" | "crates.io" | "Go" | "Hex" => Scheme::Semver,
            "SwiftURL" => Scheme::Swift,
            "Pub" => Scheme::Pub,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" | "Fedora" | "Mageia"
            | "openEuler" | "Azure Linux" | "Photon OS" | "CentOS" => Scheme::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" => Scheme::Apk,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "CRAN" => Scheme::Cran,
            "Hackage" => Scheme::Hackage,
            "Packagist" => Scheme::Composer,
            _ => return None,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Semver => "semver",
            Scheme::Swift => "swift",
            Scheme::Pub => "pub",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Cran => "cran",
            Scheme::Hackage => "hackage",
            Scheme::Composer => "composer",
        })
    }
}

impl FromStr for Scheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::ALL
            .into_iter()
            .find(|x| x.to_string() == s)
            .ok_or_else(|| format!("unknown version scheme {s:?}"))
    }
}

/// A version parsed under its scheme. Only versions of the same scheme are compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Semver(semver::SemVer),
    Swift(swift::SwiftVersion),
    Pub(pub_semver::PubVersion),
    Pep440(pep440::Pep440),
    Maven(maven::Maven),
    Dpkg(dpkg::Dpkg),
    Rpm(rpm::Rpm),
    Apk(apk::Apk),
    RubyGems(rubygems::RubyGems),
    NuGet(nuget::NuGet),
    Numeric(numeric::Numeric),
    Composer(composer::Composer),
}

impl Parsed {
    /// The order of two versions of the same scheme; `None` across schemes.
    pub fn compare(&self, other: &Parsed) -> Option<Ordering> {
        use Parsed::*;
        Some(match (self, other) {
            (Semver(a), Semver(b)) => a.cmp(b),
            (Swift(a), Swift(b)) => a.cmp(b),
            (Pub(a), Pub(b)) => a.cmp(b),
            (Pep440(a), Pep440(b)) => a.cmp(b),
            (Maven(a), Maven(b)) => a.cmp(b),
            (Dpkg(a), Dpkg(b)) => a.cmp(b),
            (Rpm(a), Rpm(b)) => a.cmp(b),
            (Apk(a), Apk(b)) => a.cmp(b),
            (RubyGems(a), RubyGems(b)) => a.cmp(b),
            (NuGet(a), NuGet(b)) => a.cmp(b),
            (Numeric(a), Numeric(b)) => a.cmp(b),
            (Composer(a), Composer(b)) => a.cmp(b),
            _ => return None,
        })
    }

    /// Whether comparing with `other` takes a path where the ecosystem's own order is not
    /// transitive, so that vexlake, following it exactly, is not either. Only Maven has one
    /// (see [`maven::Maven::meets_incoherent_items`]); the laws are checked everywhere else.
    pub fn outside_total_order(&self, other: &Parsed) -> bool {
        match (self, other) {
            (Parsed::Maven(a), Parsed::Maven(b)) => a.meets_incoherent_items(b),
            _ => false,
        }
    }
}

/// The longest version any scheme reads, in bytes. No ecosystem publishes versions anywhere
/// near this long; the bound keeps the work (and Maven's nesting of sublists) that a hostile
/// string can cause small.
pub const MAX_VERSION_LEN: usize = 1024;

/// Parses `v` under `scheme`; `None` when it is not a valid version there (or is longer than
/// [`MAX_VERSION_LEN`]).
pub fn parse(scheme: Scheme, v: &str) -> Option<Parsed> {
    if v.len() > MAX_VERSION_LEN {
        return None;
    }
    match scheme {
        Scheme::Semver => semver::SemVer::parse(v).map(Parsed::Semver),
        Scheme::Swift => swift::SwiftVersion::parse(v).map(Parsed::Swift),
        Scheme::Pub => pub_semver::PubVersion::parse(v).map(Parsed::Pub),
        Scheme::Pep440 => pep440::Pep440::parse(v).map(Parsed::Pep440),
        Scheme::Maven => maven::Maven::parse(v).map(Parsed::Maven),
        Scheme::Dpkg => dpkg::Dpkg::parse(v).map(Parsed::Dpkg),
        Scheme::Rpm => rpm::Rpm::parse(v).map(Parsed::Rpm),
        Scheme::Apk => apk::Apk::parse(v).map(Parsed::Apk),
        Scheme::RubyGems => rubygems::RubyGems::parse(v).map(Parsed::RubyGems),
        Scheme::NuGet => nuget::NuGet::parse(v).map(Parsed::NuGet),
        Scheme::Cran => cran::parse(v).map(Parsed::Numeric),
        Scheme::Hackage => hackage::parse(v).map(Parsed::Numeric),
        Scheme::Composer => composer::Composer::parse(v).map(Parsed::Composer),
    }
}

/// Compares two versions under `scheme`; `None` when either is not valid there.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    parse(scheme, a)?.compare(&parse(scheme, b)?)
}

/// Whether `v` is a valid version under `scheme`.
pub fn valid(scheme: Scheme, v: &str) -> bool {
    parse(scheme, v).is_some()
}

#[cfg(test)]
mod laws {
    use super::*;
    use proptest::prelude::*;

    /// Version-like strings: digits, letters and the separators every scheme uses.
    fn version() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}",
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,2}[-._~^+:]?(alpha|beta|rc|pre|dev|post|sp|a|b|p|r|final|ga)?[0-9]{0,2}",
            "[0-9]:[0-9]\\.[0-9](-[0-9a-z.~]{1,4})?",
            ".{0,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn every_scheme_is_a_total_order(a in version(), b in version(), c in version()) {
            for s in Scheme::ALL {
                let (pa, pb, pc) = (parse(s, &a), parse(s, &b), parse(s, &c));
                let (Some(pa), Some(pb)) = (pa, pb) else { continue };
                let ab = pa.compare(&pb).unwrap();
                prop_assert_eq!(ab, pb.compare(&pa).unwrap().reverse(), "{} antisymmetric {} {}", s, a, b);
                prop_assert_eq!(pa.compare(&pa), Some(Ordering::Equal), "{} reflexive {}", s, a);
                let cyclic = |pc: &Parsed| {
                    pa.outside_total_order(&pb) || pb.outside_total_order(pc) || pa.outside_total_order(pc)
                };
                if let Some(pc) = pc.filter(|pc| !cyclic(pc)) {
                    let bc = pb.compare(&pc).unwrap();
                    if ab != Ordering::Greater && bc != Ordering::Greater {
                        prop_assert_ne!(pa.compare(&pc), Some(Ordering::Greater), "{} transitive {} {} {}", s, a, b, c);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn no_parser_panics_on_any_string(s in any::<String>(), t in "\\PC{0,24}") {
            for scheme in Scheme::ALL {
                let _ = compare(scheme, &s, &t);
                let _ = valid(scheme, &s);
            }
        }
    }

    #[test]
    fn huge_versions_are_not_read() {
        // Without the bound, Maven would nest 100,000 sublists here and overflow the stack.
        let huge = "1a".repeat(100_000);
        let long_ok = format!("1.{}", "0.".repeat(500)) + "1";
        for s in Scheme::ALL {
            assert_eq!(parse(s, &huge), None, "{s}");
            assert_eq!(compare(s, &huge, "1.0.0"), None, "{s}");
        }
        assert!(long_ok.len() <= MAX_VERSION_LEN);
        assert_eq!(
            compare(Scheme::Maven, &long_ok, "1.1"),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn ecosystems_resolve_with_and_without_release() {
        assert_eq!(Scheme::for_ecosystem("Debian:12"), Some(Scheme::Dpkg));
        assert_eq!(Scheme::for_ecosystem("Alpine:v3.19"), Some(Scheme::Apk));
        assert_eq!(
            Scheme::for_ecosystem("Red Hat:rhel_aus:8.6::appstream"),
            Some(Scheme::Rpm)
        );
        assert_eq!(Scheme::for_ecosystem("PyPI"), Some(Scheme::Pep440));
        assert_eq!(Scheme::for_ecosystem("GIT"), None);
        assert_eq!(Scheme::for_ecosystem("Packagist"), Some(Scheme::Composer));
        assert_eq!(Scheme::for_ecosystem("Bitnami"), None);
    }

    #[test]
    fn the_issue_examples() {
        assert_eq!(
            compare(Scheme::Dpkg, "1:1.0~rc1-1", "1.0-1"),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(Scheme::Pep440, "1.0.post1", "1.0"),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(Scheme::Maven, "1.0-alpha", "1.0"),
            Some(Ordering::Less)
        );
    }
}
