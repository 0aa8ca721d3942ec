//! Belnap's four-valued logic K4, for the proposition "this component is affected by this
//! vulnerability". A value is two bits of evidence: bit 0 for (true), bit 1 against (false).
//! Unknown (⊥) = 0, True = 1, False = 2, Conflict (⊤) = 3.
//!
//! The knowledge order puts Unknown below True and False and Conflict above both: the
//! knowledge join (`join`, bitwise or) adds evidence, so True ⊕ False = Conflict; the meet
//! (`meet`, bitwise and) keeps what both agree on. The truth operations (`and`, `or`, `not`)
//! act on the two bits as Belnap defines them.

/// One K4 value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct K4(u8);

impl K4 {
    pub const UNKNOWN: K4 = K4(0);
    pub const TRUE: K4 = K4(1);
    pub const FALSE: K4 = K4(2);
    pub const CONFLICT: K4 = K4(3);
    pub const ALL: [K4; 4] = [K4::UNKNOWN, K4::TRUE, K4::FALSE, K4::CONFLICT];

    /// The value of its encoding, `None` above 3.
    pub fn from_bits(bits: u8) -> Option<K4> {
        (bits <= 3).then_some(K4(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    fn from_evidence(for_: bool, against: bool) -> K4 {
        K4(u8::from(for_) | u8::from(against) << 1)
    }

    fn evidence_for(self) -> bool {
        self.0 & 1 != 0
    }

    fn evidence_against(self) -> bool {
        self.0 & 2 != 0
    }

    /// Knowledge join: the evidence of both (True ⊕ False = Conflict; Unknown is the identity).
    pub fn join(self, other: K4) -> K4 {
        K4(self.0 | other.0)
    }

    /// Knowledge meet: the evidence both share.
    pub fn meet(self, other: K4) -> K4 {
        K4(self.0 & other.0)
    }

    /// Truth and: true when both are, false when either is.
    pub fn and(self, other: K4) -> K4 {
        K4::from_evidence(
            self.evidence_for() && other.evidence_for(),
            self.evidence_against() || other.evidence_against(),
        )
    }

    /// Truth or: true when either is, false when both are.
    pub fn or(self, other: K4) -> K4 {
        K4::from_evidence(
            self.evidence_for() || other.evidence_for(),
            self.evidence_against() && other.evidence_against(),
        )
    }

    /// Negation: evidence for becomes evidence against and back.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> K4 {
        K4::from_evidence(self.evidence_against(), self.evidence_for())
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "unknown",
            1 => "true",
            2 => "false",
            _ => "conflict",
        }
    }

    /// The value of a VEX status (OpenVEX's words; case, `-` and spaces do not matter):
    /// `affected` is True, `not_affected` and `fixed` False, `under_investigation` Unknown;
    /// `None` for anything else.
    pub fn from_vex(status: &str) -> Option<K4> {
        let status = status.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match status.as_str() {
            "affected" => Some(K4::TRUE),
            "not_affected" | "fixed" => Some(K4::FALSE),
            "under_investigation" => Some(K4::UNKNOWN),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k4() -> impl Strategy<Value = K4> {
        (0u8..4).prop_map(|b| K4::from_bits(b).unwrap())
    }

    #[test]
    fn tables() {
        use K4 as K;
        // Belnap's join: True and False make Conflict; Unknown adds nothing.
        assert_eq!(K::TRUE.join(K::FALSE), K::CONFLICT);
        assert_eq!(K::UNKNOWN.join(K::TRUE), K::TRUE);
        assert_eq!(K::TRUE.meet(K::FALSE), K::UNKNOWN);
        assert_eq!(K::CONFLICT.meet(K::FALSE), K::FALSE);
        // Truth tables on the classical values, and Belnap's for Unknown and Conflict.
        assert_eq!(K::TRUE.and(K::FALSE), K::FALSE);
        assert_eq!(K::TRUE.or(K::FALSE), K::TRUE);
        assert_eq!(K::UNKNOWN.and(K::CONFLICT), K::FALSE);
        assert_eq!(K::UNKNOWN.or(K::CONFLICT), K::TRUE);
        assert_eq!(K::UNKNOWN.not(), K::UNKNOWN);
        assert_eq!(K::CONFLICT.not(), K::CONFLICT);
        assert_eq!(K::TRUE.not(), K::FALSE);
        assert_eq!(K::from_vex("affected"), Some(K::TRUE));
        assert_eq!(K::from_vex("Not-Affected"), Some(K::FALSE));
        assert_eq!(K::from_vex("fixed"), Some(K::FALSE));
        assert_eq!(K::from_vex("under investigation"), Some(K::UNKNOWN));
        assert_eq!(K::from_vex("exploitable"), None);
        assert_eq!(K::from_bits(4), None);
        let labels: Vec<&str> = K::ALL.iter().map(|k| k.label()).collect();
        assert_eq!(labels, ["unknown", "true", "false", "conflict"]);
    }

    proptest! {
        #[test]
        fn lattice_laws(a in k4(), b in k4(), c in k4()) {
            for op in [K4::join, K4::meet] {
                prop_assert_eq!(op(a, b), op(b, a));
                prop_assert_eq!(op(op(a, b), c), op(a, op(b, c)));
                prop_assert_eq!(op(a, a), a);
            }
            // Absorption, both ways.
            prop_assert_eq!(a.join(a.meet(b)), a);
            prop_assert_eq!(a.meet(a.join(b)), a);
            prop_assert_eq!(a.join(K4::UNKNOWN), a);
            prop_assert_eq!(a.meet(K4::CONFLICT), a);
        }

        #[test]
        fn truth_laws(a in k4(), b in k4(), c in k4()) {
            for op in [K4::and, K4::or] {
                prop_assert_eq!(op(a, b), op(b, a));
                prop_assert_eq!(op(op(a, b), c), op(a, op(b, c)));
                prop_assert_eq!(op(a, a), a);
            }
            prop_assert_eq!(a.not().not(), a);
            // De Morgan.
            prop_assert_eq!(a.and(b).not(), a.not().or(b.not()));
            prop_assert_eq!(a.or(b).not(), a.not().and(b.not()));
            // Distributive, as a bilattice's truth operations are.
            prop_assert_eq!(a.and(b.or(c)), a.and(b).or(a.and(c)));
            // Negation keeps knowledge: it commutes with join and meet.
            prop_assert_eq!(a.join(b).not(), a.not().join(b.not()));
            prop_assert_eq!(a.meet(b).not(), a.not().meet(b.not()));
        }
    }
}
