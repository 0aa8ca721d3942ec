//! Semantic Versioning 2.0.0 (<https://semver.org>), as Go modules, crates.io and npm use it.
//!
//! Tolerated beyond the letter of the spec: a leading `v` (Go writes `v1.2.3`) or `=`
//! (node-semver cleans it). A core of fewer than three numbers, leading zeros and empty
//! identifiers are not SemVer and give `None`. Build metadata (`+incompatible`) is ignored for
//! ordering, as the spec requires; Go pseudo-versions are ordinary prereleases.

use std::cmp::Ordering;

/// A SemVer version. The prerelease is kept as its text (validated when parsed, compared
/// identifier by identifier when needed), so a version allocates at most once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SemVer {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// The dot-separated prerelease identifiers; empty for a release.
    pub pre: Box<str>,
}

fn numeric(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_digit())
}

/// SemVer's identifier order: numbers by value (no leading zeros, so by length then digits),
/// numbers before text, text by its bytes.
fn cmp_ident(a: &str, b: &str) -> Ordering {
    match (numeric(a), numeric(b)) {
        (true, true) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.as_bytes().cmp(b.as_bytes()),
    }
}

/// Prereleases compared identifier by identifier; a prefix sorts first.
fn cmp_pre(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.split('.'), b.split('.'));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => match cmp_ident(p, q) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

impl SemVer {
    pub fn parse(s: &str) -> Option<SemVer> {
        let s = super::trim(s);
        let s = match s.as_bytes().first() {
            Some(b'v' | b'V' | b'=') => &s[1..],
            _ => s,
        };
        let s = match s.bytes().position(|b| b == b'+') {
            Some(build) => &s[..build],
            None => s,
        };
        // The core, read in one pass: three numbers without leading zeros, separated by dots,
        // then the end or a `-` and the prerelease.
        let bytes = s.as_bytes();
        let mut nums = [0u64; 3];
        let mut at = 0;
        for (i, num) in nums.iter_mut().enumerate() {
            let start = at;
            while let Some(d) = bytes.get(at).filter(|b| b.is_ascii_digit()) {
                *num = num.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
                at += 1;
            }
            if at == start || (at - start > 1 && bytes[start] == b'0') {
                return None;
            }
            if i < 2 {
                if bytes.get(at) != Some(&b'.') {
                    return None;
                }
                at += 1;
            }
        }
        let pre = match bytes.get(at) {
            None => None,
            Some(b'-') => Some(&s[at + 1..]),
            Some(_) => return None,
        };
        if let Some(pre) = pre {
            let valid = pre.split('.').all(|id| {
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && (!numeric(id)
                        || ((id.len() == 1 || !id.starts_with('0')) && id.parse::<u64>().is_ok()))
            });
            if !valid {
                return None;
            }
        }
        Some(SemVer {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: pre.unwrap_or_default().into(),
        })
    }
}

impl Ord for SemVer {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_pre(&self.pre, &other.pre),
            })
    }
}

impl PartialOrd for SemVer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lt(a: &str, b: &str) {
        let (pa, pb) = (SemVer::parse(a).unwrap(), SemVer::parse(b).unwrap());
        assert!(pa < pb, "{a} < {b}");
    }

    #[test]
    fn spec_precedence_examples() {
        // The precedence chain given in section 11 of the SemVer 2.0.0 spec.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in chain.windows(2) {
            lt(w[0], w[1]);
        }
    }

    #[test]
    fn go_forms() {
        lt("v0.0.0-20200101000000-abcdef", "v0.0.1");
        assert_eq!(SemVer::parse("v2.0.0+incompatible"), SemVer::parse("2.0.0"));
        assert!(SemVer::parse("1.x").is_none());
        assert!(SemVer::parse("").is_none());
        assert!(SemVer::parse("1.2.3.4").is_none());
        assert!(SemVer::parse("0.14").is_none());
        assert!(SemVer::parse("01.2.3").is_none());
        assert!(SemVer::parse("1.2.3-01").is_none());
    }

    proptest! {
        #[test]
        fn antisymmetric_and_transitive(
            a in "[0-3]\\.[0-3]\\.[0-3](-(alpha|beta|[0-9])(\\.[0-9a-c])?)?",
            b in "[0-3]\\.[0-3]\\.[0-3](-(alpha|beta|[0-9])(\\.[0-9a-c])?)?",
            c in "[0-3]\\.[0-3]\\.[0-3](-(alpha|beta|[0-9])(\\.[0-9a-c])?)?",
        ) {
            let (a, b, c) = (SemVer::parse(&a).unwrap(), SemVer::parse(&b).unwrap(), SemVer::parse(&c).unwrap());
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c { prop_assert!(a <= c); }
        }
    }
}
