//! Debian and Ubuntu package versions, as dpkg compares them
//! (`[epoch:]upstream[-revision]`, `lib/dpkg/version.c` `verrevcmp`).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dpkg {
    epoch: u64,
    upstream: String,
    revision: String,
}

impl Dpkg {
    pub fn parse(s: &str) -> Option<Dpkg> {
        let s = super::trim(s);
        if s.is_empty() || s.chars().any(char::is_whitespace) {
            return None;
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (e.parse().ok()?, rest)
            }
            None => (0, s),
        };
        let (upstream, revision) = match rest.rfind('-') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if upstream.is_empty() || !upstream.as_bytes()[0].is_ascii_digit() {
            return None;
        }
        let ok_up = |c: char| c.is_ascii_alphanumeric() || ".+~-:".contains(c);
        let ok_rev = |c: char| c.is_ascii_alphanumeric() || ".+~".contains(c);
        if !upstream.chars().all(ok_up) || !revision.chars().all(ok_rev) {
            return None;
        }
        if rest.ends_with('-') {
            return None;
        }
        Some(Dpkg {
            epoch,
            upstream: upstream.to_string(),
            revision: revision.to_string(),
        })
    }
}

/// The weight of a character in a non-digit run: `~` first, then the end, then letters, then
/// everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

/// dpkg's `verrevcmp`.
pub fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let mut first_diff = 0;
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        while i < a.len() && a[i].is_ascii_digit() && j < b.len() && b[j].is_ascii_digit() {
            if first_diff == 0 {
                first_diff = a[i] as i32 - b[j] as i32;
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != 0 {
            return first_diff.cmp(&0);
        }
    }
    Ordering::Equal
}

impl Ord for Dpkg {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for Dpkg {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(a: &str, b: &str) {
        assert_eq!(
            Dpkg::parse(a).unwrap().cmp(&Dpkg::parse(b).unwrap()),
            Ordering::Less,
            "{a} < {b}"
        );
    }

    #[test]
    fn dpkg_rules() {
        lt("1.0~rc1", "1.0");
        lt("1.0", "1.0+b1");
        lt("1.0-1", "1.0-2");
        lt("1.0-1", "1:0.9-1");
        lt("2.30-1", "2.30a-1");
        lt("1.0~~", "1.0~");
        assert_eq!(
            Dpkg::parse("1.0-0")
                .unwrap()
                .cmp(&Dpkg::parse("1.0").unwrap()),
            Ordering::Equal
        );
        assert_eq!(Dpkg::parse("0:1.0").unwrap(), Dpkg::parse("1.0").unwrap());
        assert!(Dpkg::parse("a1.0").is_none());
        assert!(Dpkg::parse("1.0 1").is_none());
        assert!(Dpkg::parse("x:1.0").is_none());
    }
}
