//! Version numbers of any length, as the schemes that compare digit runs by value read them
//! (Maven's BigInteger items, RubyGems' segments): no allocation below 19 digits.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Number {
    Small(u64),
    /// More than 18 digits, without leading zeros: larger than every `Small`.
    Big(String),
}

impl Number {
    pub(super) const ZERO: Number = Number::Small(0);

    /// The value of a run of ASCII digits; leading zeros do not count.
    pub(super) fn from_digits(digits: &str) -> Number {
        debug_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        let t = digits.trim_start_matches('0');
        match t.len() {
            0 => Number::ZERO,
            1..=18 => Number::Small(t.parse().expect("at most 18 ASCII digits")),
            _ => Number::Big(t.to_string()),
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Number::Small(a), Number::Small(b)) => a.cmp(b),
            (Number::Small(_), Number::Big(_)) => Ordering::Less,
            (Number::Big(_), Number::Small(_)) => Ordering::Greater,
            (Number::Big(a), Number::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_order_by_value_at_any_length() {
        let n = Number::from_digits;
        assert_eq!(n("007"), n("7"));
        assert_eq!(n("000"), Number::ZERO);
        assert!(n("999999999999999999") < n("1000000000000000000"));
        assert!(n("1000000000000000000") < n("1000000000000000001"));
        assert!(n("99999999999999999999") < n("100000000000000000000"));
    }
}
