//! NuGet versions (`NuGetVersion`): up to four numbers, a SemVer 2.0 prerelease compared
//! case-insensitively, build metadata ignored.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Label {
    Num(u64),
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NuGet {
    numbers: [u64; 4],
    pre: Vec<Label>,
}

impl NuGet {
    pub fn parse(s: &str) -> Option<NuGet> {
        let s = super::trim(s);
        let s = s.split_once('+').map_or(s, |(v, _)| v);
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (s, None),
        };
        let mut numbers = [0u64; 4];
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            numbers[i] = p.parse().ok()?;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(p) => p
                .split('.')
                .map(|l| {
                    if l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                        None
                    } else if l.bytes().all(|b| b.is_ascii_digit()) {
                        l.parse().ok().map(Label::Num)
                    } else {
                        Some(Label::Text(l.to_ascii_lowercase()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(NuGet { numbers, pre })
    }
}

impl Ord for NuGet {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let o = match (a, b) {
                            (Label::Num(x), Label::Num(y)) => x.cmp(y),
                            (Label::Num(_), Label::Text(_)) => Ordering::Less,
                            (Label::Text(_), Label::Num(_)) => Ordering::Greater,
                            (Label::Text(x), Label::Text(y)) => x.cmp(y),
                        };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGet {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuget_rules() {
        let v = |s: &str| NuGet::parse(s).unwrap();
        assert_eq!(v("1.0").cmp(&v("1.0.0.0")), Ordering::Equal);
        assert!(v("1.0.0.1") > v("1.0.0"));
        assert!(v("1.0.0-beta") < v("1.0.0"));
        assert_eq!(v("1.0.0-BETA").cmp(&v("1.0.0-beta")), Ordering::Equal);
        assert!(v("1.0.0-beta.2") < v("1.0.0-beta.11"));
        assert_eq!(v("1.0.0+abc").cmp(&v("1.0.0")), Ordering::Equal);
        assert!(NuGet::parse("1.0.0.0.0").is_none());
        assert!(NuGet::parse("1.x").is_none());
    }
}
