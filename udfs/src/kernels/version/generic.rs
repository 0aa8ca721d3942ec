//! A generic version order for ecosystems without a dedicated scheme yet.
//!
//! The string is cut into numbers and words (separators `.`, `-`, `_`, `+`, `~` and the change
//! from digits to letters). Numbers compare as numbers; trailing zero numbers are padding
//! (`1.0` = `1.0.0`). Release words (`final`, `ga`, `release`) are dropped. Pre-release words
//! (`dev`, `snapshot`, `alpha`/`a`, `beta`/`b`, `milestone`/`m`, `pre`, `preview`, `rc`/`cr`/`c`)
//! rank below a release, post-release words (`post`, `sp`, `patch`, `p`) above it, other words
//! above a release and by their text. A number outranks a word at the same place.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    Number(u128),
    /// A word with its rank: negative for pre-release words, positive for post-release ones.
    Word(i8, String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Generic {
    tokens: Vec<Token>,
}

fn word_rank(word: &str) -> Option<i8> {
    Some(match word {
        "final" | "ga" | "release" => return None,
        "dev" => -7,
        "snapshot" => -6,
        "alpha" | "a" => -5,
        "beta" | "b" => -4,
        "milestone" | "m" => -3,
        "pre" | "preview" => -2,
        "rc" | "cr" | "c" => -1,
        "post" | "sp" | "patch" | "p" => 1,
        _ => 2,
    })
}

impl Generic {
    pub fn parse(s: &str) -> Option<Generic> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let lower = s.to_ascii_lowercase();
        let mut tokens = Vec::new();
        let mut chars = lower.char_indices().peekable();
        while let Some(&(start, ch)) = chars.peek() {
            if ch.is_ascii_digit() {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_ascii_digit() {
                        break;
                    }
                    end = i + 1;
                    chars.next();
                }
                tokens.push(Token::Number(lower[start..end].parse().ok()?));
            } else if ch.is_alphabetic() {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek() {
                    if !c.is_alphabetic() {
                        break;
                    }
                    end = i + c.len_utf8();
                    chars.next();
                }
                let word = &lower[start..end];
                if let Some(rank) = word_rank(word) {
                    tokens.push(Token::Word(rank, word.to_string()));
                }
            } else if matches!(ch, '.' | '-' | '_' | '+' | '~' | ':') {
                chars.next();
            } else {
                return None;
            }
        }
        while matches!(tokens.last(), Some(Token::Number(0))) && tokens.len() > 1 {
            tokens.pop();
        }
        Some(Generic { tokens })
    }
}

/// How a token compares with the end of the other version.
fn against_end(t: &Token) -> Ordering {
    match t {
        Token::Number(0) => Ordering::Equal,
        Token::Number(_) => Ordering::Greater,
        Token::Word(rank, _) if *rank < 0 => Ordering::Less,
        Token::Word(_, _) => Ordering::Greater,
    }
}

impl Ord for Generic {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.tokens.len().max(other.tokens.len());
        for i in 0..n {
            let ord = match (self.tokens.get(i), other.tokens.get(i)) {
                (Some(Token::Number(a)), Some(Token::Number(b))) => a.cmp(b),
                (Some(Token::Number(_)), Some(Token::Word(..))) => Ordering::Greater,
                (Some(Token::Word(..)), Some(Token::Number(_))) => Ordering::Less,
                (Some(Token::Word(ra, a)), Some(Token::Word(rb, b))) => {
                    ra.cmp(rb).then_with(|| a.cmp(b))
                }
                (Some(t), None) => against_end(t),
                (None, Some(t)) => against_end(t).reverse(),
                (None, None) => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for Generic {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lt(a: &str, b: &str) {
        let (pa, pb) = (Generic::parse(a).unwrap(), Generic::parse(b).unwrap());
        assert!(pa < pb, "{a} < {b}");
    }

    #[test]
    fn ordering_examples() {
        let chain = [
            "1.0-alpha1",
            "1.0-beta2",
            "1.0-rc1",
            "1.0",
            "1.0.1",
            "1.0.10",
            "2.9.10",
            "2.9.10.1",
            "4.1.86.Final",
            "4.1.105.Final",
        ];
        for w in chain.windows(2) {
            lt(w[0], w[1]);
        }
        assert_eq!(Generic::parse("1.0"), Generic::parse("1.0.0"));
        assert_eq!(Generic::parse("4.1.105.Final"), Generic::parse("4.1.105"));
        assert!(Generic::parse("abc").is_none());
        assert!(Generic::parse("1.0 beta").is_none());
    }

    proptest! {
        #[test]
        fn antisymmetric_and_transitive(
            a in "[0-2](\\.[0-2]){0,2}(-(rc|alpha|sp|x)[0-2]?)?",
            b in "[0-2](\\.[0-2]){0,2}(-(rc|alpha|sp|x)[0-2]?)?",
            c in "[0-2](\\.[0-2]){0,2}(-(rc|alpha|sp|x)[0-2]?)?",
        ) {
            let (a, b, c) = (Generic::parse(&a).unwrap(), Generic::parse(&b).unwrap(), Generic::parse(&c).unwrap());
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            if a <= b && b <= c { prop_assert!(a <= c); }
        }
    }
}
