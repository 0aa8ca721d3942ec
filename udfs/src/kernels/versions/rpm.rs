//! RPM versions (`[epoch:]version[-release]`), compared with rpm's `rpmvercmp`
//! (`rpmio/rpmvercmp.c`), `~` sorting before everything and `^` after the end only.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rpm {
    /// Digits only; "0" when the version names none.
    epoch: String,
    version: String,
    /// `None` when there is no `-`: rpm sorts a missing release before any release, even an
    /// empty one (`1 < 1-`).
    release: Option<String>,
}

impl Rpm {
    /// Splits `[epoch:]version[-release]` as rpm's own `parseEVR` does: the epoch is the leading
    /// digits when a `:` follows them (an empty one is 0), the release what follows the last
    /// `-` after them, the version the rest. rpm reads any string that way (`a:1` is a version
    /// named `a:1`); vexlake refuses only the empty string and whitespace, which no package
    /// version holds.
    pub fn parse(s: &str) -> Option<Rpm> {
        let s = super::trim(s);
        if s.is_empty() || s.chars().any(char::is_whitespace) {
            return None;
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s[digits..].strip_prefix(':') {
            Some(rest) if digits == 0 => ("0", rest),
            Some(rest) => (&s[..digits], rest),
            None => ("0", s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r.to_string())),
            None => (rest, None),
        };
        Some(Rpm {
            epoch: epoch.to_string(),
            version: version.to_string(),
            release,
        })
    }
}

/// rpm's `rpmvercmp`.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && sep(a[i]) {
            i += 1;
        }
        while j < b.len() && sep(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            break;
        };
        let numeric = ca.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (si, sj) = (i, j);
        while i < a.len() && class(a[i]) {
            i += 1;
        }
        while j < b.len() && class(b[j]) {
            j += 1;
        }
        if sj == j {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let (mut x, mut y) = (&a[si..i], &b[sj..j]);
        if numeric {
            while x.first() == Some(&b'0') {
                x = &x[1..];
            }
            while y.first() == Some(&b'0') {
                y = &y[1..];
            }
            match x.len().cmp(&y.len()) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        match x.cmp(y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for Rpm {
    fn cmp(&self, other: &Self) -> Ordering {
        // rpm's compare_values: a missing value sorts before a present one.
        rpmvercmp(&self.epoch, &other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }
}

impl PartialOrd for Rpm {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpmvercmp_rules() {
        // Cases from rpm's own test suite (tests/rpmvercmp.at).
        let cases = [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0.1", "2.0.1a", -1),
            ("5.5p1", "5.5p10", -1),
            ("10xyz", "10.1xyz", -1),
            ("xyz10", "xyz10.1", -1),
            ("1.0aa", "1.0a", 1),
            ("10", "9", 1),
            ("1.0~rc1", "1.0", -1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0^", "1.0", 1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git1", "1.01", -1),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0^git1~pre", "1.0^git1", -1),
            ("a+", "a_", 0),
            ("+a", "_a", 0),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b) as i32, want, "{a} vs {b}");
        }
        let p = |v: &str| Rpm::parse(v).unwrap();
        assert!(p("1:1.0-1") > p("2.0-1"));
        // What rpm 4.18's own parser and compare answer (python3-rpm, rpm.ver): a missing
        // release before an empty one, an epoch that is not digits is part of the version.
        assert!(p("1") < p("1-"));
        assert_eq!(p("1-1."), p("1-1.").clone());
        assert_eq!(p("1-1.").cmp(&p("1-1")), Ordering::Equal);
        assert_eq!(p(":1").cmp(&p("0:1")), Ordering::Equal);
        assert_eq!(p("0:1").cmp(&p("1")), Ordering::Equal);
        assert!(p("a:1") < p("b:1"));
        assert!(p("b~1:1") > p("a1:1"));
        assert_eq!(p("+").cmp(&p("_")), Ordering::Equal);
        assert!(p("013:5") > p("004:2"));
        assert!(
            Rpm::parse("5.14.0-70.17.1.el9_0").unwrap()
                < Rpm::parse("5.14.0-70.22.1.el9_0").unwrap()
        );
    }
}
