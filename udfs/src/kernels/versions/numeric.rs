//! Versions that are sequences of numbers, compared part by part (a prefix sorts first): what
//! CRAN's and Hackage's schemes ([`super::cran`], [`super::hackage`]) read versions into.

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Numeric {
    pub(super) parts: Vec<u64>,
}

impl Numeric {
    /// Numbers of ASCII digits separated by any of `seps`; `None` when a part is empty, holds
    /// anything else or overflows 64 bits.
    pub(super) fn split(s: &str, seps: &[char]) -> Option<Numeric> {
        let parts = s
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
