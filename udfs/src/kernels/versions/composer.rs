//! Packagist versions, as Composer orders them: `VersionParser::normalize` (composer/semver)
//! to `major.minor.patch.extra[-stability[N]][-dev]`, then PHP's `version_compare`
//! (`ext/standard/versioning.c`), whose special forms rank dev < alpha = a < beta = b <
//! RC = rc < a number < pl = p (so `patch` sorts after the release).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composer {
    normalized: String,
}

/// Composer's classical version pattern: `v?N(.N){0,3}` plus an optional stability modifier.
fn normalize(s: &str) -> Option<String> {
    let s = super::trim(s);
    let s = s.split_once('+').map_or(s, |(v, _build)| v);
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut nums: Vec<&str> = Vec::new();
    loop {
        if nums.len() == 4 {
            break;
        }
        if !nums.is_empty() {
            if bytes.get(i) != Some(&b'.') || !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                break;
            }
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if start == i {
            return None;
        }
        nums.push(&s[start..i]);
    }
    if nums[0].len() > 5 {
        return None;
    }
    let mut out: String = nums.join(".");
    for _ in nums.len()..4 {
        out.push_str(".0");
    }
    // [._-]?(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?([.-]?dev)?
    let rest = s[i..].to_ascii_lowercase();
    let mut r = rest.as_str();
    let mut modifier = None;
    let after_sep = r.strip_prefix(['.', '_', '-']).unwrap_or(r);
    for word in [
        "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p",
    ] {
        if let Some(tail) = after_sep.strip_prefix(word) {
            modifier = Some(word);
            r = tail;
            break;
        }
    }
    let mut number = String::new();
    if modifier.is_some() {
        loop {
            let t = r.strip_prefix(['.', '-']).unwrap_or(r);
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                break;
            }
            number.push_str(&t[..digits]);
            r = &t[digits..];
        }
    }
    let dev = match r.strip_prefix(['.', '-']).unwrap_or(r) {
        "dev" => true,
        "" if r.is_empty() => false,
        _ => return None,
    };
    if let Some(m) = modifier {
        if m != "stable" {
            let expanded = match m {
                "a" => "alpha",
                "b" => "beta",
                "p" | "pl" => "patch",
                "rc" => "RC",
                other => other,
            };
            out.push('-');
            out.push_str(expanded);
            out.push_str(&number);
        } else {
            return Some(out);
        }
    }
    if dev {
        out.push_str("-dev");
    }
    Some(out)
}

/// PHP's `php_canonicalize_version`.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 2);
    let Some((&first, rest)) = v.split_first() else {
        return out;
    };
    out.push(first);
    let mut lp = first;
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    for &p in rest {
        let lq = *out.last().expect("not empty");
        if matches!(p, b'-' | b'_' | b'+') {
            if lq != b'.' {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(p)) || (isdig(lp) && isndig(p)) {
            if lq != b'.' {
                out.push(b'.');
            }
            out.push(p);
        } else if !p.is_ascii_alphanumeric() {
            if lq != b'.' {
                out.push(b'.');
            }
        } else {
            out.push(p);
        }
        lp = p;
    }
    out
}

fn special_form(form: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| form.starts_with(name))
        .map_or(-1, |(_, order)| *order)
}

/// C's `strtol` on a digit run, saturating as PHP's does.
fn strtol(s: &[u8]) -> i64 {
    s.iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i64, |acc, c| {
            acc.saturating_mul(10).saturating_add((c - b'0') as i64)
        })
}

/// PHP's `php_version_compare`.
pub fn php_version_compare(a: &[u8], b: &[u8]) -> Ordering {
    if a.is_empty() || b.is_empty() {
        return (!a.is_empty()).cmp(&!b.is_empty());
    }
    let v1 = if a[0] == b'#' {
        a.to_vec()
    } else {
        canonicalize(a)
    };
    let v2 = if b[0] == b'#' {
        b.to_vec()
    } else {
        canonicalize(b)
    };
    let mut p1: &[u8] = &v1;
    let mut p2: &[u8] = &v2;
    let (mut more1, mut more2) = (true, true);
    let mut compare = Ordering::Equal;
    while !p1.is_empty() && !p2.is_empty() && more1 && more2 {
        let (e1, r1) = match p1.iter().position(|&c| c == b'.') {
            Some(i) => (&p1[..i], Some(&p1[i + 1..])),
            None => (p1, None),
        };
        let (e2, r2) = match p2.iter().position(|&c| c == b'.') {
            Some(i) => (&p2[..i], Some(&p2[i + 1..])),
            None => (p2, None),
        };
        more1 = r1.is_some();
        more2 = r2.is_some();
        let d1 = e1.first().is_some_and(u8::is_ascii_digit);
        let d2 = e2.first().is_some_and(u8::is_ascii_digit);
        compare = match (d1, d2) {
            (true, true) => strtol(e1).cmp(&strtol(e2)),
            (false, false) => special_form(e1).cmp(&special_form(e2)),
            (true, false) => special_form(b"#N#").cmp(&special_form(e2)),
            (false, true) => special_form(e1).cmp(&special_form(b"#N#")),
        };
        if compare != Ordering::Equal {
            break;
        }
        if let Some(r) = r1 {
            p1 = r;
        }
        if let Some(r) = r2 {
            p2 = r;
        }
    }
    if compare == Ordering::Equal {
        if more1 {
            compare = if p1.first().is_some_and(u8::is_ascii_digit) {
                Ordering::Greater
            } else {
                php_version_compare(p1, b"#N#")
            };
        } else if more2 {
            compare = if p2.first().is_some_and(u8::is_ascii_digit) {
                Ordering::Less
            } else {
                php_version_compare(b"#N#", p2)
            };
        }
    }
    compare
}

impl Composer {
    pub fn parse(s: &str) -> Option<Composer> {
        normalize(s).map(|normalized| Composer { normalized })
    }
}

impl Ord for Composer {
    fn cmp(&self, other: &Self) -> Ordering {
        php_version_compare(self.normalized.as_bytes(), other.normalized.as_bytes())
    }
}

impl PartialOrd for Composer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_as_composer() {
        // From composer/semver's VersionParserTest::successfulNormalizedVersions.
        for (raw, want) in [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0-pl3", "1.0.0.0-patch3"),
            ("v1.0.0", "1.0.0.0"),
            ("1.0.0-beta.5+foo", "1.0.0.0-beta5"),
            ("1.0.0-stable", "1.0.0.0"),
            ("0", "0.0.0.0"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Some(want), "{raw}");
        }
        assert!(Composer::parse("dev-master").is_none());
        assert!(Composer::parse("1.0.0-foo").is_none());
    }

    #[test]
    fn php_version_compare_examples() {
        // From PHP's documentation and ext/standard/tests/versioning/version_compare.phpt.
        let c = |a: &str, b: &str| php_version_compare(a.as_bytes(), b.as_bytes()) as i32;
        assert_eq!(c("5.2", "5.2.0"), -1);
        assert_eq!(c("1.0rc1", "1.0"), -1);
        assert_eq!(c("1.0", "1.0pl1"), -1);
        assert_eq!(c("1.0-dev", "1.0a1"), -1);
        assert_eq!(c("1.0", "1.0"), 0);
        assert!(Composer::parse("1.0.0-patch1").unwrap() > Composer::parse("1.0.0").unwrap());
        assert!(Composer::parse("1.0.0-beta2").unwrap() < Composer::parse("1.0.0-RC1").unwrap());
        assert_eq!(
            Composer::parse("v1.0")
                .unwrap()
                .cmp(&Composer::parse("1.0.0").unwrap()),
            Ordering::Equal
        );
    }
}
