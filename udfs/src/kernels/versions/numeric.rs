//! Purely numeric versions: CRAN (`package_version`: numbers separated by `.` or `-`, trailing
//! zeros insignificant) and Hackage (Cabal's `Version`: numbers separated by `.`), compared as
//! sequences (a prefix sorts first).

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Numeric {
    parts: Vec<u64>,
}

impl Numeric {
    /// A CRAN version: at least two numbers, separated by `.` or `-`. R pads versions with
    /// zeros before comparing them, so trailing zeros do not count (`1.0` = `1.0-0`).
    pub fn parse_cran(s: &str) -> Option<Numeric> {
        let mut n = Self::parse_with(s, &['.', '-'])?;
        if n.parts.len() < 2 {
            return None;
        }
        while n.parts.last() == Some(&0) {
            n.parts.pop();
        }
        Some(n)
    }

    /// A Hackage version as Cabal's parser reads it: numbers separated by `.`, each without
    /// leading zeros and at most 9 digits long; then any number of `-tag`s (alphanumeric), which
    /// Cabal accepts with a warning and drops (`1.2-tag = 1.2`).
    pub fn parse_hackage(s: &str) -> Option<Numeric> {
        let mut pieces = s.trim().split('-');
        let numbers = pieces.next()?;
        if !pieces.all(|tag| !tag.is_empty() && tag.chars().all(char::is_alphanumeric)) {
            return None;
        }
        let canonical = |p: &str| p.len() <= 9 && (p == "0" || !p.starts_with('0'));
        if !numbers.split('.').all(canonical) {
            return None;
        }
        Self::parse_with(numbers, &['.'])
    }

    fn parse_with(s: &str, seps: &[char]) -> Option<Numeric> {
        let parts = s
            .trim()
            .split(seps)
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect::<Option<Vec<u64>>>()?;
        Some(Numeric { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_rules() {
        assert!(Numeric::parse_cran("1.0-1").unwrap() < Numeric::parse_cran("1.0.2").unwrap());
        assert!(Numeric::parse_cran("1.10").unwrap() > Numeric::parse_cran("1.9").unwrap());
        assert!(Numeric::parse_cran("1").is_none());
        assert_eq!(Numeric::parse_cran("1.0"), Numeric::parse_cran("1.0-0"));
        assert!(Numeric::parse_hackage("1.0").unwrap() < Numeric::parse_hackage("1.0.0").unwrap());
        // What Cabal 3.4's simpleParsec answers (see tests/fixtures/versions/hackage.txt).
        assert_eq!(
            Numeric::parse_hackage("1.2-tag"),
            Numeric::parse_hackage("1.2")
        );
        for invalid in [
            "01.2",
            "00",
            "1000000000",
            "1..0",
            "1.",
            "1-",
            "1-tag.2",
            "",
        ] {
            assert_eq!(Numeric::parse_hackage(invalid), None, "{invalid:?}");
        }
    }
}
