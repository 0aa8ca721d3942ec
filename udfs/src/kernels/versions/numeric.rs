//! Purely numeric versions: CRAN (`package_version`: numbers separated by `.` or `-`) and
//! Hackage (`Data.Version`: numbers separated by `.`), compared as sequences (a prefix sorts first).

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Numeric {
    parts: Vec<u64>,
}

impl Numeric {
    /// A CRAN version: at least two numbers, separated by `.` or `-`.
    pub fn parse_cran(s: &str) -> Option<Numeric> {
        let n = Self::parse_with(s, &['.', '-'])?;
        (n.parts.len() >= 2).then_some(n)
    }

    /// A Hackage version: numbers separated by `.`.
    pub fn parse_hackage(s: &str) -> Option<Numeric> {
        Self::parse_with(s, &['.'])
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
        assert!(Numeric::parse_hackage("1.0").unwrap() < Numeric::parse_hackage("1.0.0").unwrap());
        assert!(Numeric::parse_hackage("1.0-1").is_none());
    }
}
