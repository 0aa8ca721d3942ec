//! RubyGems versions, ordered as `Gem::Version#<=>`: segments of digits and letters, trailing
//! zeros of the numeric and of the string part dropped, a string segment (a prerelease) sorting
//! below a number.

use std::cmp::Ordering;

use super::number::Number;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Num(Number),
    Str(String),
}

const ZERO: Seg = Seg::Num(Number::ZERO);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RubyGems {
    segments: Vec<Seg>,
}

/// Appends the segments of `text`: runs of digits and runs of letters, anything else a break.
fn push_segments(text: &str, segs: &mut Vec<Seg>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            segs.push(Seg::Num(Number::from_digits(&text[start..i])));
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            segs.push(Seg::Str(text[start..i].to_string()));
        } else {
            i += 1;
        }
    }
}

impl RubyGems {
    pub fn parse(s: &str) -> Option<RubyGems> {
        let s = super::trim(s);
        // Gem::Version::ANCHORED_VERSION_PATTERN: digits, then .segments, then -prerelease.
        let (main, pre) = match s.split_once('-') {
            Some((m, p)) => (m, Some(p)),
            None => (s, None),
        };
        let mut parts = main.split('.');
        let first = parts.next()?;
        if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return None;
        }
        let pre_ok = |p: &str| {
            p.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        };
        if pre.is_some_and(|p| !pre_ok(p)) {
            return None;
        }
        // "-" means ".pre.", then segments are runs of digits or letters.
        let mut segs = Vec::new();
        push_segments(main, &mut segs);
        if let Some(pre) = pre {
            segs.push(Seg::Str("pre".to_string()));
            push_segments(pre, &mut segs);
        }
        // canonical_segments: drop trailing zeros of the numeric part and of the string part.
        let split = segs
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(segs.len());
        while segs.len() > split && segs.last() == Some(&ZERO) {
            segs.pop();
        }
        let numeric_end = segs[..split]
            .iter()
            .rposition(|s| *s != ZERO)
            .map_or(0, |i| i + 1);
        segs.drain(numeric_end..split);
        Some(RubyGems { segments: segs })
    }
}

impl Ord for RubyGems {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.segments.len().max(other.segments.len()) {
            let l = self.segments.get(i).unwrap_or(&ZERO);
            let r = other.segments.get(i).unwrap_or(&ZERO);
            if l == r {
                continue;
            }
            return match (l, r) {
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
                (Seg::Num(a), Seg::Num(b)) => a.cmp(b),
                (Seg::Str(a), Seg::Str(b)) => a.cmp(b),
            };
        }
        Ordering::Equal
    }
}

impl PartialOrd for RubyGems {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_version_rules() {
        // From rubygems' test_gem_version.rb (test_spaceship, test_eql_eh, test_prerelease).
        let v = |s: &str| RubyGems::parse(s).unwrap();
        assert_eq!(v("1.0").cmp(&v("1.0.0")), Ordering::Equal);
        assert!(v("1.0") > v("1.0.a"));
        assert!(v("1.8.2") > v("0.0.0"));
        assert!(v("1.8.2") > v("1.8.2.a"));
        assert!(v("1.8.2.b") > v("1.8.2.a"));
        assert!(v("1.8.2.a10") > v("1.8.2.a9"));
        assert!(v("5.a") < v("5.0.0.rc2"));
        assert!(v("1.9.3") > v("1.9.3-pre"));
        assert_eq!(v("1.0.0-rc1").cmp(&v("1.0.0.pre.rc1")), Ordering::Equal);
        assert!(RubyGems::parse("junk").is_none());
        assert!(RubyGems::parse("1.0\n2.0").is_none());
    }
}
