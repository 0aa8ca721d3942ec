//! Alpine (apk) versions: `1.2.3[a][_alpha1...][-r4]`, compared as apk-tools' `apk_version_compare`
//! does: numbers, then the optional letter, then suffixes (`_alpha` < `_beta` < `_pre` < `_rc` <
//! none < `_cvs` < `_svn` < `_git` < `_hg` < `_p`), then the `-r` revision.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// A number; after the first, one with a leading zero compares as a decimal fraction.
    Number(String, bool),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Apk {
    numbers: Vec<Part>,
    letter: Option<u8>,
    suffixes: Vec<(i8, u64)>,
    revision: u64,
}

fn suffix_rank(s: &str) -> Option<i8> {
    Some(match s {
        "alpha" => -4,
        "beta" => -3,
        "pre" => -2,
        "rc" => -1,
        "cvs" => 1,
        "svn" => 2,
        "git" => 3,
        "hg" => 4,
        "p" => 5,
        _ => return None,
    })
}

impl Apk {
    pub fn parse(s: &str) -> Option<Apk> {
        let s = super::trim(s);
        let (body, revision) = match s.rsplit_once("-r") {
            Some((b, r)) if !r.is_empty() && r.bytes().all(|c| c.is_ascii_digit()) => {
                (b, r.parse().ok()?)
            }
            _ => (s, 0),
        };
        let (main, suffix_text) = match body.find('_') {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (digits, letter) = match main.as_bytes().last() {
            Some(c) if c.is_ascii_lowercase() => (&main[..main.len() - 1], Some(*c)),
            _ => (main, None),
        };
        let mut numbers = Vec::new();
        for (i, n) in digits.split('.').enumerate() {
            if n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let fraction = i > 0 && n.len() > 1 && n.starts_with('0');
            numbers.push(Part::Number(n.to_string(), fraction));
        }
        let mut suffixes = Vec::new();
        if let Some(text) = suffix_text {
            for suf in text.split('_') {
                let split = suf.find(|c: char| c.is_ascii_digit()).unwrap_or(suf.len());
                let rank = suffix_rank(&suf[..split])?;
                let num = &suf[split..];
                if !num.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                suffixes.push((rank, if num.is_empty() { 0 } else { num.parse().ok()? }));
            }
        }
        Some(Apk {
            numbers,
            letter,
            suffixes,
            revision,
        })
    }
}

fn cmp_number(a: &Part, b: &Part) -> Ordering {
    let (Part::Number(x, fx), Part::Number(y, fy)) = (a, b);
    if *fx || *fy {
        return x.as_str().cmp(y.as_str());
    }
    let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

impl Ord for Apk {
    fn cmp(&self, other: &Self) -> Ordering {
        for i in 0..self.numbers.len().max(other.numbers.len()) {
            match (self.numbers.get(i), other.numbers.get(i)) {
                (Some(a), Some(b)) => match cmp_number(a, b) {
                    Ordering::Equal => {}
                    o => return o,
                },
                (Some(_), None) => return Ordering::Greater,
                (None, Some(_)) => return Ordering::Less,
                (None, None) => {}
            }
        }
        match self.letter.cmp(&other.letter) {
            Ordering::Equal => {}
            o => return o,
        }
        for i in 0..self.suffixes.len().max(other.suffixes.len()) {
            let a = self.suffixes.get(i).copied().unwrap_or((0, 0));
            let b = other.suffixes.get(i).copied().unwrap_or((0, 0));
            match a.cmp(&b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.revision.cmp(&other.revision)
    }
}

impl PartialOrd for Apk {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apk_rules() {
        // Pairs from apk-tools' test/version.data.
        let chain = [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_beta",
            "1.0_pre1",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_p1",
            "1.0.1",
            "1.1",
            "2.0",
        ];
        let parsed: Vec<Apk> = chain.iter().map(|v| Apk::parse(v).unwrap()).collect();
        for (i, w) in parsed.windows(2).enumerate() {
            assert!(w[0] < w[1], "{} < {}", chain[i], chain[i + 1]);
        }
        assert!(Apk::parse("1.0a").unwrap() > Apk::parse("1.0").unwrap());
        assert!(Apk::parse("1.2.3-r4").unwrap() > Apk::parse("1.2.3-r3").unwrap());
        assert!(Apk::parse("1.x").is_none());
        assert!(Apk::parse("1.0_foo").is_none());
    }
}
