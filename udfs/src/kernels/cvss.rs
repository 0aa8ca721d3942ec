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

/// The qualitative severity of a base score (CVSS v3.1 and v4.0 specifications, "Qualitative
/// Severity Rating Scale"): `NONE`, `LOW`, `MEDIUM`, `HIGH` or `CRITICAL`; `None` outside 0–10.
pub fn severity(score: f64) -> Option<&'static str> {
    Some(match score {
        s if !(0.0..=10.0).contains(&s) => return None,
        s if s >= 9.0 => "CRITICAL",
        s if s >= 7.0 => "HIGH",
        s if s >= 4.0 => "MEDIUM",
        s if s > 0.0 => "LOW",
        _ => "NONE",
    })
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
        let rate = |s| severity(s).unwrap_or("-");
        // The boundaries of the scale, both sides.
        assert_eq!(rate(0.0), "NONE");
        assert_eq!(rate(0.1), "LOW");
        assert_eq!(rate(3.9), "LOW");
        assert_eq!(rate(4.0), "MEDIUM");
        assert_eq!(rate(6.9), "MEDIUM");
        assert_eq!(rate(7.0), "HIGH");
        assert_eq!(rate(8.9), "HIGH");
        assert_eq!(rate(9.0), "CRITICAL");
        assert_eq!(rate(10.0), "CRITICAL");
        assert_eq!(rate(10.1), "-");
        assert_eq!(rate(-1.0), "-");
        assert_eq!(rate(f64::NAN), "-");
    }
}
