//! PyPI versions, PEP 440 (<https://peps.python.org/pep-0440/>), ordered as the `packaging`
//! library orders them: epoch, release (trailing zeros do not count), pre, post, dev, local.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum LocalPart {
    Alpha(String),
    Number(u64),
}

/// (epoch, release without trailing zeros, pre, post, dev).
type SortKey = (u64, Vec<u64>, (i8, u8, u64), (i8, u64), (i8, u64));

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pep440 {
    epoch: u64,
    release: Vec<u64>,
    pre: Option<(u8, u64)>,
    post: Option<u64>,
    dev: Option<u64>,
    local: Vec<LocalPart>,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn number(&mut self) -> Option<u64> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
    fn sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Consumes the first of `words` found here (longest first).
    fn word(&mut self, words: &[&str]) -> Option<String> {
        let rest = &self.s[self.i..];
        let w = words.iter().find(|w| rest.starts_with(w.as_bytes()))?;
        self.i += w.len();
        Some(w.to_string())
    }
}

impl Pep440 {
    pub fn parse(s: &str) -> Option<Pep440> {
        let lower = super::trim(s).to_ascii_lowercase();
        let (public, local) = match lower.split_once('+') {
            Some((p, l)) => (p.to_string(), Some(l.to_string())),
            None => (lower.clone(), None),
        };
        let mut c = Cursor {
            s: public.as_bytes(),
            i: 0,
        };
        if c.peek() == Some(b'v') {
            c.i += 1;
        }
        let first = c.number()?;
        let (epoch, mut release) = if c.peek() == Some(b'!') {
            c.i += 1;
            (first, vec![c.number()?])
        } else {
            (0, vec![first])
        };
        while c.peek() == Some(b'.') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
            release.push(c.number()?);
        }
        let mut v = Pep440 {
            epoch,
            release,
            pre: None,
            post: None,
            dev: None,
            local: Vec::new(),
        };
        // Pre-release.
        let save = c.i;
        c.sep();
        match c.word(&["alpha", "beta", "preview", "pre", "rc", "a", "b", "c"]) {
            Some(w) => {
                let kind = match w.as_str() {
                    "a" | "alpha" => 0,
                    "b" | "beta" => 1,
                    _ => 2,
                };
                let before = c.i;
                c.sep();
                let n = match c.number() {
                    Some(n) => n,
                    None => {
                        c.i = before;
                        0
                    }
                };
                v.pre = Some((kind, n));
            }
            None => c.i = save,
        }
        // Post-release: "-N" or [sep](post|rev|r)[sep][N].
        let save = c.i;
        if c.peek() == Some(b'-') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
            v.post = Some(c.number()?);
        } else {
            c.sep();
            match c.word(&["post", "rev", "r"]) {
                Some(_) => {
                    let before = c.i;
                    c.sep();
                    v.post = Some(match c.number() {
                        Some(n) => n,
                        None => {
                            c.i = before;
                            0
                        }
                    });
                }
                None => c.i = save,
            }
        }
        // Development release.
        let save = c.i;
        c.sep();
        match c.word(&["dev"]) {
            Some(_) => {
                let before = c.i;
                c.sep();
                v.dev = Some(match c.number() {
                    Some(n) => n,
                    None => {
                        c.i = before;
                        0
                    }
                });
            }
            None => c.i = save,
        }
        if c.i != c.s.len() {
            return None;
        }
        if let Some(local) = local {
            for part in local.split(['.', '-', '_']) {
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return None;
                }
                v.local.push(if part.bytes().all(|b| b.is_ascii_digit()) {
                    LocalPart::Number(part.parse().ok()?)
                } else {
                    LocalPart::Alpha(part.to_string())
                });
            }
        }
        Some(v)
    }

    /// `packaging`'s sort key; its infinities become a leading -1/0/1 rank in each part.
    fn key(&self) -> SortKey {
        let mut release = self.release.clone();
        while release.len() > 1 && release.last() == Some(&0) {
            release.pop();
        }
        // pre: a dev-only release sorts before every pre-release; no pre sorts after them.
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => (-1, 0, 0),
            (None, _, _) => (1, 0, 0),
            (Some((k, n)), _, _) => (0, k, n),
        };
        let post = self.post.map_or((-1, 0), |n| (0, n));
        let dev = self.dev.map_or((1, 0), |n| (0, n));
        (self.epoch, release, pre, post, dev)
    }
}

impl Ord for Pep440 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep440_order() {
        // The ordering example of PEP 440's "Summary of permitted suffixes and relative ordering".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ];
        let parsed: Vec<Pep440> = chain.iter().map(|v| Pep440::parse(v).unwrap()).collect();
        for (i, w) in parsed.windows(2).enumerate() {
            assert!(w[0] < w[1], "{} < {}", chain[i], chain[i + 1]);
        }
        let eq = |a: &str, b: &str| {
            assert_eq!(
                Pep440::parse(a).unwrap().cmp(&Pep440::parse(b).unwrap()),
                Ordering::Equal,
                "{a} = {b}"
            )
        };
        eq("1.0", "1.0.0");
        eq("1.0-1", "1.0.post1");
        eq("1.0alpha1", "1.0a1");
        eq("v1.0RC1", "1.0rc1");
        eq("1!1.0", "1!1.0.0");
        assert!(Pep440::parse("1!0.1").unwrap() > Pep440::parse("2.0").unwrap());
        for bad in ["", "1.0x", "abc", "1.0+", "1.0+a..b", "1..0"] {
            assert!(Pep440::parse(bad).is_none(), "{bad:?}");
        }
    }
}
