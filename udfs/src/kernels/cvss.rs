//! CVSS base scores from vectors (v2, v3.0, v3.1, v4.0), through RustSec's `cvss` crate.

use std::str::FromStr;

/// The base score (0.0–10.0) of a CVSS vector; `None` when the vector cannot be read.
pub fn base_score(vector: &str) -> Option<f64> {
    let vector = vector.trim();
    let parsed = cvss::Cvss::from_str(vector)
        .or_else(|_| cvss::v2::Vector::from_str(vector).map(cvss::Cvss::CvssV20))
        .ok()?;
    Some(parsed.score())
}

/// The qualitative rating of a CVSS v3/v4 base score: `critical`, `high`, `medium`, `low` or
/// `none`.
pub fn rating(score: f64) -> &'static str {
    match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores() {
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Some(7.5));
        assert_eq!(base_score("nonsense"), None);
        assert_eq!(rating(9.8), "critical");
        assert_eq!(rating(5.3), "medium");
    }
}
