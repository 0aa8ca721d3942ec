//! The evidence-weighted score, the confidence and its tiers (DESIGN.md, "Evaluation as SQL",
//! steps 2 and 6).
//!
//! * score = 100 × Clamp01(w_sev·sev + w_trust·trust + w_reach·reach + w_rt·runtime), with sev
//!   the CVSS base score / 10, trust the trust of the claim that the component is affected (1.0
//!   when no VEX speaks), reach 1.0 in the usage view, 0.0 absent from an existing one, 0.5
//!   unknown, runtime 1.0 observed loaded, 0.0 observed not loaded, 0.5 no signal. Default
//!   weights 0.4 / 0.1 / 0.3 / 0.2.
//! * confidence = Clamp01(Σ weight × value) over reachability, runtime, VEX, provenance and
//!   policy, each value in 0..1. Default weights 0.25 / 0.20 / 0.25 / 0.15 / 0.15 (the seed
//!   names the factors, not their weights; these sum to 1, so full evidence is confidence 1).
//! * tiers: VeryHigh ≥ 0.9, High ≥ 0.7, Medium ≥ 0.5, Low ≥ 0.3, VeryLow below.
//! * unknown budgets: an environment's count of unknown findings is `exceeded` above its
//!   maximum, `warning` from the warn threshold (a fraction of the maximum, default 0.8) up to
//!   the maximum, `within` below it (and always with no unknown finding).
//!
//! The score is rounded to 2 decimals and the confidence to 4, so that a sum's last-bit noise
//! (98.00000000000001) never reaches a finding or a tier boundary.

use std::fmt;

/// The weights of the evidence-weighted score: severity, trust, reachability, runtime.
pub const SCORE_WEIGHTS: [f64; 4] = [0.4, 0.1, 0.3, 0.2];

/// The weights of the confidence: reachability, runtime, VEX, provenance, policy.
pub const CONFIDENCE_WEIGHTS: [f64; 5] = [0.25, 0.20, 0.25, 0.15, 0.15];

/// Why an input cannot be scored.
#[derive(Clone, Debug, PartialEq)]
pub enum ScoreError {
    /// A value outside its range (`name`, the value, the range's upper bound; the lower is 0).
    OutOfRange(&'static str, f64, f64),
    /// A weight below zero or not finite.
    BadWeight(&'static str, f64),
    /// A count below zero or not finite.
    BadCount(&'static str, f64),
}

impl fmt::Display for ScoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScoreError::OutOfRange(name, v, max) => write!(f, "{name} {v} is outside 0..{max}"),
            ScoreError::BadWeight(name, w) => {
                write!(f, "weight {name} {w} must be a number of 0 or more")
            }
            ScoreError::BadCount(name, n) => write!(f, "{name} {n} must be a count of 0 or more"),
        }
    }
}

/// `x` clamped to 0..1.
pub fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

fn value(name: &'static str, v: f64, max: f64) -> Result<f64, ScoreError> {
    if (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ScoreError::OutOfRange(name, v, max))
    }
}

fn weight(name: &'static str, w: f64) -> Result<f64, ScoreError> {
    if w.is_finite() && w >= 0.0 {
        Ok(w)
    } else {
        Err(ScoreError::BadWeight(name, w))
    }
}

/// The evidence-weighted score, 0..100, of a CVSS base score (0..10) and trust, reachability and
/// runtime (each 0..1), with `weights` (severity, trust, reachability, runtime).
pub fn evidence_score(
    cvss: f64,
    trust: f64,
    reachability: f64,
    runtime: f64,
    weights: [f64; 4],
) -> Result<f64, ScoreError> {
    let values = [
        value("cvss", cvss, 10.0)? / 10.0,
        value("trust", trust, 1.0)?,
        value("reachability", reachability, 1.0)?,
        value("runtime", runtime, 1.0)?,
    ];
    let names = ["severity", "trust", "reachability", "runtime"];
    let mut sum = 0.0;
    for ((v, w), name) in values.iter().zip(weights).zip(names) {
        sum += v * weight(name, w)?;
    }
    Ok(round(100.0 * clamp01(sum), 100.0))
}

/// `x` rounded to the nearest multiple of 1/`scale`.
fn round(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// The confidence, 0..1, of reachability, runtime, VEX, provenance and policy values (each
/// 0..1) with `weights` in that order.
pub fn confidence(values: [f64; 5], weights: [f64; 5]) -> Result<f64, ScoreError> {
    let names = ["reachability", "runtime", "vex", "provenance", "policy"];
    let mut sum = 0.0;
    for ((v, w), name) in values.iter().zip(weights).zip(names) {
        sum += value(name, *v, 1.0)? * weight(name, w)?;
    }
    Ok(round(clamp01(sum), 10_000.0))
}

/// A confidence's tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    VeryLow,
    Low,
    Medium,
    High,
    VeryHigh,
}

impl Tier {
    /// The tier of a confidence (0..1).
    pub fn of(confidence: f64) -> Result<Tier, ScoreError> {
        Ok(match value("confidence", confidence, 1.0)? {
            c if c >= 0.9 => Tier::VeryHigh,
            c if c >= 0.7 => Tier::High,
            c if c >= 0.5 => Tier::Medium,
            c if c >= 0.3 => Tier::Low,
            _ => Tier::VeryLow,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::VeryHigh => "VeryHigh",
            Tier::High => "High",
            Tier::Medium => "Medium",
            Tier::Low => "Low",
            Tier::VeryLow => "VeryLow",
        }
    }
}

/// The warn threshold of an unknown budget when the policy sets none: 80% of the maximum.
pub const BUDGET_WARN_THRESHOLD: f64 = 0.8;

/// Where an environment's count of unknown findings stands against its budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetState {
    Within,
    Warning,
    Exceeded,
}

impl BudgetState {
    /// The state of `unknown` findings against a budget of `max` with a warn threshold (a
    /// fraction of `max`, 0..1).
    pub fn of(unknown: f64, max: f64, warn_threshold: f64) -> Result<BudgetState, ScoreError> {
        let count = |name, n: f64| {
            if n.is_finite() && n >= 0.0 {
                Ok(n)
            } else {
                Err(ScoreError::BadCount(name, n))
            }
        };
        let (unknown, max) = (count("unknown", unknown)?, count("max_unknown", max)?);
        let threshold = value("warn_threshold", warn_threshold, 1.0)?;
        Ok(if unknown > max {
            BudgetState::Exceeded
        } else if unknown > 0.0 && unknown >= threshold * max {
            BudgetState::Warning
        } else {
            BudgetState::Within
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            BudgetState::Within => "within",
            BudgetState::Warning => "warning",
            BudgetState::Exceeded => "exceeded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_follows_the_design_formula() {
        // CVSS 9.8, no VEX (trust 1), reachable, no runtime signal:
        // 100 × (0.4·0.98 + 0.1·1 + 0.3·1 + 0.2·0.5) = 89.2
        assert_eq!(evidence_score(9.8, 1.0, 1.0, 0.5, SCORE_WEIGHTS), Ok(89.2));
        // 100 × 0.4 × 0.98 is 39.2 within the last bit; rounded, it is 39.2 exactly.
        assert_eq!(evidence_score(9.8, 0.0, 0.0, 0.0, SCORE_WEIGHTS), Ok(39.2));
        assert_eq!(evidence_score(0.0, 0.0, 0.0, 0.0, SCORE_WEIGHTS), Ok(0.0));
        assert_eq!(
            evidence_score(10.0, 1.0, 1.0, 1.0, SCORE_WEIGHTS),
            Ok(100.0)
        );
        // Weights above a sum of 1 are clamped.
        assert_eq!(evidence_score(10.0, 1.0, 1.0, 1.0, [1.0; 4]), Ok(100.0));
    }

    #[test]
    fn values_and_weights_out_of_range_are_refused() {
        assert_eq!(
            evidence_score(11.0, 1.0, 1.0, 1.0, SCORE_WEIGHTS),
            Err(ScoreError::OutOfRange("cvss", 11.0, 10.0))
        );
        assert!(evidence_score(5.0, f64::NAN, 1.0, 1.0, SCORE_WEIGHTS).is_err());
        assert_eq!(
            confidence([0.5; 5], [0.2, 0.2, -0.1, 0.2, 0.2]),
            Err(ScoreError::BadWeight("vex", -0.1))
        );
        assert!(Tier::of(1.5).is_err());
    }

    #[test]
    fn confidence_and_tiers() {
        assert_eq!(confidence([1.0; 5], CONFIDENCE_WEIGHTS), Ok(1.0));
        assert_eq!(confidence([0.0; 5], CONFIDENCE_WEIGHTS), Ok(0.0));
        // 0.25 + 0.1 + 0.25 + 0.06 + 0.15
        assert_eq!(
            confidence([1.0, 0.5, 1.0, 0.4, 1.0], CONFIDENCE_WEIGHTS),
            Ok(0.81)
        );
        let tiers: Vec<_> = [0.95, 0.9, 0.7, 0.69, 0.5, 0.3, 0.29, 0.0]
            .iter()
            .map(|c| Tier::of(*c).unwrap().label())
            .collect();
        assert_eq!(
            tiers,
            [
                "VeryHigh", "VeryHigh", "High", "Medium", "Medium", "Low", "VeryLow", "VeryLow"
            ]
        );
    }

    #[test]
    fn budgets_warn_from_the_threshold_and_block_above_the_maximum() {
        let state = |n: f64, max: f64| BudgetState::of(n, max, BUDGET_WARN_THRESHOLD).unwrap();
        assert_eq!(state(0.0, 10.0), BudgetState::Within);
        assert_eq!(state(7.0, 10.0), BudgetState::Within);
        assert_eq!(state(8.0, 10.0), BudgetState::Warning);
        assert_eq!(state(10.0, 10.0), BudgetState::Warning);
        assert_eq!(state(11.0, 10.0), BudgetState::Exceeded);
        // A budget of none: no unknown finding is within it, one is over it.
        assert_eq!(state(0.0, 0.0), BudgetState::Within);
        assert_eq!(state(1.0, 0.0), BudgetState::Exceeded);
        assert_eq!(BudgetState::of(3.0, 10.0, 0.3), Ok(BudgetState::Warning));
        assert!(BudgetState::of(3.0, 10.0, 1.5).is_err());
        assert!(BudgetState::of(-1.0, 10.0, 0.5).is_err());
    }
}
