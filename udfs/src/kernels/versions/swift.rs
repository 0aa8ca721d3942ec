//! SwiftURL versions, read and ordered as the Swift Package Manager's `Version` reads and orders
//! them (`Version(_ string:)` and `<` in PackageDescription).
//!
//! The order is SemVer 2.0's: major, minor, patch, then a version with a prerelease before one
//! without, prerelease identifiers compared one by one (numbers, as Swift's `Int(String)` reads
//! them, before text), build metadata ignored. SwiftPM's reading is laxer than the SemVer
//! grammar, and vexlake follows it: exactly three numbers of ASCII digits (leading zeros
//! allowed), empty identifiers allowed (`1.2.3-`, `1.2.3-a..b`, `1.2.3+`), identifiers of ASCII
//! letters, digits and `-`; no leading `v`.

use std::cmp::Ordering;

use super::dotted::{Part, cmp_prerelease, core, parts, signed_decimal};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwiftVersion {
    core: [i64; 3],
    pre: Vec<Part>,
}

impl SwiftVersion {
    pub fn parse(s: &str) -> Option<SwiftVersion> {
        let s = super::trim(s);
        // The build (after the first '+') is read only to be validated; the prerelease starts
        // at the first '-' before it.
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        if let Some(build) = build {
            parts(build, true, |_| None)?;
        }
        let (core_text, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, parts(p, true, signed_decimal)?),
            None => (rest, Vec::new()),
        };
        Some(SwiftVersion {
            core: core(core_text)?,
            pre,
        })
    }
}

impl Ord for SwiftVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| cmp_prerelease(&self.pre, &other.pre))
    }
}

impl PartialOrd for SwiftVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> SwiftVersion {
        SwiftVersion::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn swiftpm_version_tests() {
        // swiftlang/swift-package-manager Tests/PackageDescriptionTests/VersionTests.swift
        // (Apache-2.0 with Runtime Library Exception): testVersionComparison, written here as
        // strings, and testLosslessConversionFromStringToVersion.
        for (a, b) in [
            ("1.2.3", "2.1.1"),
            ("1.2.3", "1.3.1"),
            ("1.2.3-", "1.2.3"),
            ("1.2.3-beta", "1.2.3"),
            ("1.2.2", "1.2.3-beta"),
            ("1.2.3-alpha", "1.2.3-beta"),
            ("1.2.3-alpha1", "1.2.3-alpha2"),
            ("1.2.3-alpha", "1.2.3-alpha-"),
            ("1.2.3-beta.alpha", "1.2.3-beta.beta"),
            ("1.2.3-alpha.beta", "1.2.3-beta.alpha"),
            ("1.2.3-1", "1.2.3-2"),
            ("1.2.3-1.1", "1.2.3-1.2"),
            ("1.2.3-1.2", "1.2.3-2.1"),
            ("1.2.3-123", "1.2.3-123alpha"),
            ("1.2.3-223", "1.2.3-123alpha"),
            ("1.2.2", "1.2.3+beta"),
            ("1.2.3-+", "1.2.3+"),
            ("1.2.3-beta", "1.2.3+alpha"),
            ("1.2.3-123alpha", "1.2.3+123"),
            ("1.2.3+", "2.2.3-"),
            ("1.2.3+beta", "1.3.3-alpha"),
            ("1.2.3-alpha", "1.2.3-beta+123alpha"),
            ("1.2.3-123", "1.2.3-123alpha+-alpha"),
            ("1.2.3-1.2+alpha", "1.2.3-2.1+alpha.beta"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Less, "{a} < {b}");
            assert_eq!(v(b).cmp(&v(a)), Ordering::Greater, "{b} > {a}");
        }
        for (a, b) in [
            ("1.2.3", "1.2.3+"),
            ("1.2.3", "1.2.3+beta"),
            ("1.2.3+alpha", "1.2.3+beta"),
            ("1.2.3+1.2", "1.2.3+2.1"),
            ("1.2.3-", "1.2.3-+"),
            ("1.2.3-beta+123", "1.2.3-beta+"),
            ("1.2.3-1+alpha-", "1.2.3-1+"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} = {b}");
        }
        for ok in [
            "0.0.0",
            "0.0.0-pre-alpha",
            "55.89.144-beta.1",
            "89.144.233-a.whole..lot.of.pre-release.identifiers",
            "144.233.377-",
            "0.0.0+some-metadata",
            "4181.6765.10946+more.meta..more.data",
            "10946.17711.28657+",
            "0.0.0-beta.-42+42-42.42",
        ] {
            v(ok);
        }
        for bad in [
            "3",
            "3 5",
            "5.8",
            "-5.8.13",
            "8.-13.21",
            "-0.0.0",
            "21.34.55.89",
            "forty two",
            "233.377.610-hello world",
            "987-Hello.world--------",
            "987.1597-half-life.3",
            "17711.28657.46368+hello world",
            "28657.46368.75025+hello+world",
            "121393+Hello.world--------",
            "1346269.3524578.5702887-beta1+\u{1F600}",
            "3524578.5702887.9227465-beta!@#$%^&*1+asdfghjkl123456789",
            "v1.2.3",
        ] {
            assert_eq!(SwiftVersion::parse(bad), None, "{bad:?}");
        }
        // Swift's Int("-42") is a number: it sorts before any text and below 0.
        assert!(v("1.0.0-beta.-42") < v("1.0.0-beta.0"));
    }
}
