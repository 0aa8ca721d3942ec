//! Pub versions, ordered as Dart's `pub_semver` package orders them (`Version.compareTo`).
//!
//! Pub follows SemVer 2.0.0-rc.1, which differs from SemVer 2.0.0 where it matters for
//! matching: build metadata takes part in the order. After major, minor, patch and the
//! prerelease, a version without a build sorts before one with it, and builds compare part by
//! part like prereleases: `1.0.0-rc.1 < 1.0.0-rc.1+build.1 < 1.0.0 < 1.0.0+0.3.7`. The grammar
//! is pub_semver's: `\d+.\d+.\d+`, then `-` and dot-separated `[0-9A-Za-z-]+` parts, then `+` and
//! the same. Leading zeros are allowed and do not count (`01.2.3 = 1.2.3`), because pub_semver
//! reads every number with Dart's `int.parse`; a part that `int.tryParse` reads (decimal with
//! an optional `-`, or `0x` hexadecimal) is a number, any other part is text, and numbers sort
//! before text.

use std::cmp::Ordering;

use super::dotted::{Part, cmp_prerelease, core, parts, signed_decimal};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PubVersion {
    core: [i64; 3],
    pre: Vec<Part>,
    build: Vec<Part>,
}

/// Dart's `int.tryParse(s)` without a radix, on the characters a part may hold: `-`? decimal
/// digits, or `-`? `0x` and hexadecimal digits (up to 64 bits, wrapping into a signed int as
/// the Dart VM does); `None` when it overflows.
fn dart_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            let v = u64::from_str_radix(hex, 16).ok()? as i64;
            Some(if negative { v.wrapping_neg() } else { v })
        }
        _ if !s.starts_with('+') => signed_decimal(s),
        _ => None,
    }
}

fn pub_parts(s: &str) -> Option<Vec<Part>> {
    parts(s, false, dart_int)
}

impl PubVersion {
    pub fn parse(s: &str) -> Option<PubVersion> {
        let s = super::trim(s);
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, pub_parts(b)?),
            None => (s, Vec::new()),
        };
        let (core_text, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, pub_parts(p)?),
            None => (rest, Vec::new()),
        };
        Some(PubVersion {
            core: core(core_text)?,
            pre,
            build,
        })
    }
}

impl Ord for PubVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // Absent prereleases sort last, absent builds first; present ones compare part by
        // part, a missing part before a present one.
        self.core
            .cmp(&other.core)
            .then_with(|| cmp_prerelease(&self.pre, &other.pre))
            .then_with(|| self.build.cmp(&other.build))
    }
}

impl PartialOrd for PubVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &str) -> PubVersion {
        PubVersion::parse(v).unwrap_or_else(|| panic!("{v} parses"))
    }

    #[test]
    fn pub_semver_version_test_order() {
        // The sorted list of dart-lang/pub_semver test/version_test.dart ("compareTo"), also
        // ported to google/osv.dev osv/ecosystems/pub_test.py (test_comparison): every pair
        // compares as its positions do.
        let sorted = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0-rc.1+build.1",
            "1.0.0",
            "1.0.0+0.3.7",
            "1.3.7+build",
            "1.3.7+build.2.b8f12d7",
            "1.3.7+build.11.e0f985a",
            "2.0.0",
            "2.1.0",
            "2.2.0",
            "2.11.0",
            "2.11.1",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(p(a).cmp(&p(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn pub_semver_equality_and_grammar() {
        // osv.dev pub_test.py test_equality and test_parse.
        for (a, b) in [
            ("01.2.3", "1.2.3"),
            ("1.02.3", "1.2.3"),
            ("1.2.03", "1.2.3"),
            ("1.2.3-01", "1.2.3-1"),
            ("1.2.3+01", "1.2.3+1"),
        ] {
            assert_eq!(p(a), p(b), "{a} = {b}");
        }
        for v in [
            "0.0.0",
            "12.34.56",
            "1.2.3-alpha.1",
            "1.2.3-x.7.z-92",
            "1.2.3+build.1",
            "1.2.3+x.7.z-92",
            "1.0.0-rc-1+build-1",
        ] {
            p(v);
        }
        // pub_semver's grammar has no empty parts and exactly three numbers.
        for v in [
            "1.0.0-a..b",
            "1.0.0-+",
            "1.0",
            "1.0.0.0",
            "v1.0.0",
            "1.0.0-",
            "1.0.0+",
        ] {
            assert_eq!(PubVersion::parse(v), None, "{v}");
        }
        assert!(p("1.10.0") > p("1.2.0"));
        // Dart's int.tryParse: "0x10" is sixteen, so it sorts after 9 and equals 16.
        assert!(p("1.0.0-0x10") > p("1.0.0-9"));
        assert_eq!(p("1.0.0-0x10"), p("1.0.0-16"));
    }
}
