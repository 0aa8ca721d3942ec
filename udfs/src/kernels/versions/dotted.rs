//! Dot-separated prerelease and build identifiers as Pub and SwiftPM compare them: a part that
//! the ecosystem's own integer parser reads is a number, any other is text; numbers sort before
//! text, text compares by its bytes, and a list that is a prefix of another sorts first. Both
//! also read the version core alike: exactly three runs of ASCII digits, leading zeros allowed.

use std::cmp::Ordering;

/// One dot-separated identifier.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Part {
    Number(i64),
    Text(String),
}

/// Splits `s` at `.`; `None` when a part is empty (unless `allow_empty`) or holds a character
/// other than ASCII letters, digits and `-`. `number` is the ecosystem's integer parser.
pub(super) fn parts(
    s: &str,
    allow_empty: bool,
    number: impl Fn(&str) -> Option<i64>,
) -> Option<Vec<Part>> {
    s.split('.')
        .map(|p| {
            if (p.is_empty() && !allow_empty)
                || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                None
            } else {
                Some(number(p).map_or_else(|| Part::Text(p.to_string()), Part::Number))
            }
        })
        .collect()
}

/// Parses an optionally signed run of ASCII digits into a 64-bit int, as Swift's `Int(String)`
/// and Dart's `int.tryParse` both do for decimal text; `None` on overflow or anything else.
pub(super) fn signed_decimal(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `major.minor.patch`, each a run of ASCII digits that fits a 64-bit int.
pub(super) fn core(s: &str) -> Option<[i64; 3]> {
    let mut numbers = s.split('.');
    let mut next = || -> Option<i64> {
        let n = numbers.next()?;
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse().ok()
    };
    let parsed = [next()?, next()?, next()?];
    numbers.next().is_none().then_some(parsed)
}

/// SemVer's prerelease rule: a version without a prerelease sorts after one with it.
pub(super) fn cmp_prerelease(a: &[Part], b: &[Part]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.cmp(b),
    }
}
