//! Hackage versions, as Cabal reads (`simpleParsec`) and orders (`Distribution.Types.Version`)
//! them: numbers separated by `.`, each without leading zeros and at most 9 digits long,
//! compared as lists (a prefix sorts first: `1.0 < 1.0.0`); then any number of `-tag`s
//! (alphanumeric), which Cabal accepts with a warning and drops (`1.2-tag = 1.2`). Checked
//! against Cabal 3.4.1.0 in `tests/fixtures/versions/hackage.txt`.

use super::numeric::Numeric;

pub fn parse(s: &str) -> Option<Numeric> {
    let mut pieces = super::trim(s).split('-');
    let numbers = pieces.next()?;
    if !pieces.all(|tag| !tag.is_empty() && tag.chars().all(char::is_alphanumeric)) {
        return None;
    }
    let canonical = |p: &str| p.len() <= 9 && (p == "0" || !p.starts_with('0'));
    if !numbers.split('.').all(canonical) {
        return None;
    }
    Numeric::split(numbers, &['.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cabal_version_rules() {
        assert!(parse("1.0").unwrap() < parse("1.0.0").unwrap());
        assert!(parse("0.9.10").unwrap() < parse("0.10").unwrap());
        // What Cabal 3.4's simpleParsec answers (see tests/fixtures/versions/hackage.txt).
        assert_eq!(parse("1.2-tag"), parse("1.2"));
        assert_eq!(parse("1.2-3"), parse("1.2"));
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
            assert_eq!(parse(invalid), None, "{invalid:?}");
        }
    }
}
