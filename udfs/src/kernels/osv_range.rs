//! OSV affected ranges (<https://ossf.github.io/osv-schema/#affectedranges-field>).
//!
//! A version is affected by a range when, walking the range's events in version order, the
//! last event at or below it is an `introduced` (with `last_affected` counting as closed at
//! that version, and `limit` as an upper bound). `GIT` ranges name commits, not versions: they
//! are skipped when the record has other ranges and make the answer undecidable otherwise.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::versions::{self, Scheme};

/// The `type` of an OSV range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeType {
    Semver,
    Ecosystem,
    Git,
}

impl FromStr for RangeType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "SEMVER" => Ok(RangeType::Semver),
            "ECOSYSTEM" => Ok(RangeType::Ecosystem),
            "GIT" => Ok(RangeType::Git),
            other => Err(format!("unknown OSV range type {other:?}")),
        }
    }
}

impl fmt::Display for RangeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeType::Semver => "SEMVER",
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Git => "GIT",
        })
    }
}

/// One OSV event: exactly one of the fields is set in a well-formed record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

/// One OSV range; `kind` is `None` for a type this version of vexlake does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    pub kind: Option<RangeType>,
    pub events: Vec<Event>,
}

/// The kind of an OSV event; the order is the tie-break between events at the same version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// One range with its events parsed under its scheme and sorted, ready to test many versions.
#[derive(Clone, Debug)]
enum Compiled {
    Readable {
        scheme: Scheme,
        /// (version, kind) in version order; `None` is `introduced: "0"`.
        points: Vec<(Option<versions::Parsed>, Kind)>,
    },
    /// An event the scheme cannot read, or an ecosystem without a scheme: undecidable.
    Unreadable,
}

/// An affected entry's ranges compiled once for its ecosystem: parse and sort the events one
/// time, then test any number of versions ([`CompiledRanges::contains`]).
#[derive(Clone, Debug)]
pub struct CompiledRanges {
    ranges: Vec<Compiled>,
    /// What the answer is when no SEMVER/ECOSYSTEM range exists: `Some(false)` for no ranges at
    /// all, `None` (undecidable) when there are only GIT or unknown ranges.
    without_ranges: Option<bool>,
}

impl CompiledRanges {
    /// Compiles `ranges` (each its type and its `(kind, version)` events) for `ecosystem`.
    pub fn new<'a, R, E>(ecosystem: &str, ranges: R) -> CompiledRanges
    where
        R: IntoIterator<Item = (Option<RangeType>, E)>,
        E: IntoIterator<Item = (Kind, &'a str)>,
    {
        let mut any = false;
        let mut compiled = Vec::new();
        for (kind, events) in ranges {
            any = true;
            let scheme = match kind {
                Some(RangeType::Semver) => Some(Scheme::Semver),
                Some(RangeType::Ecosystem) => Scheme::for_ecosystem(ecosystem),
                Some(RangeType::Git) | None => continue,
            };
            compiled.push(match scheme {
                Some(scheme) => compile(scheme, events),
                None => Compiled::Unreadable,
            });
        }
        CompiledRanges {
            without_ranges: if any { None } else { Some(false) },
            ranges: compiled,
        }
    }

    /// Whether `version` falls in any of the ranges: `Some(true)` affected, `Some(false)` not
    /// affected by these ranges, `None` undecidable (a version or an event the scheme cannot
    /// read, or only GIT/unknown ranges).
    pub fn contains(&self, version: &str) -> Option<bool> {
        if self.ranges.is_empty() {
            return self.without_ranges;
        }
        // A version is parsed at most once per scheme (SEMVER ranges and the ecosystem's own).
        let mut parsed: [(Option<Scheme>, Option<versions::Parsed>); 2] =
            [(None, None), (None, None)];
        let mut unknown = false;
        for range in &self.ranges {
            let Compiled::Readable { scheme, points } = range else {
                unknown = true;
                continue;
            };
            let slot = match parsed.iter().position(|(s, _)| *s == Some(*scheme)) {
                Some(i) => i,
                None => {
                    let i = parsed.iter().position(|(s, _)| s.is_none()).unwrap_or(1);
                    parsed[i] = (Some(*scheme), versions::parse(*scheme, version));
                    i
                }
            };
            match &parsed[slot].1 {
                Some(v) if walk(v, points) => return Some(true),
                Some(_) => {}
                None => unknown = true,
            }
        }
        if unknown { None } else { Some(false) }
    }
}

fn compile<'a>(scheme: Scheme, events: impl IntoIterator<Item = (Kind, &'a str)>) -> Compiled {
    let mut points = Vec::new();
    for (kind, raw) in events {
        let at = if kind == Kind::Introduced && raw == "0" {
            None
        } else if kind == Kind::Limit && raw == "*" {
            continue;
        } else {
            match versions::parse(scheme, raw) {
                Some(p) => Some(p),
                None => return Compiled::Unreadable,
            }
        };
        points.push((at, kind));
    }
    points.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => a.1.cmp(&b.1),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)),
    });
    Compiled::Readable { scheme, points }
}

/// Walks the sorted events up to `v`: affected when the last one reached is an introduction.
fn walk(v: &versions::Parsed, points: &[(Option<versions::Parsed>, Kind)]) -> bool {
    let mut affected = false;
    for (at, kind) in points {
        let reached = match (at, kind) {
            (None, _) => true,
            (Some(p), Kind::LastAffected) => v.compare(p) == Some(Ordering::Greater),
            (Some(p), _) => v.compare(p) != Some(Ordering::Less),
        };
        if !reached {
            break;
        }
        affected = *kind == Kind::Introduced;
    }
    affected
}

impl Event {
    /// The kind and version of a well-formed event (exactly one field set; the first wins).
    pub fn kind(&self) -> Option<(Kind, &str)> {
        [
            (Kind::Introduced, &self.introduced),
            (Kind::Fixed, &self.fixed),
            (Kind::LastAffected, &self.last_affected),
            (Kind::Limit, &self.limit),
        ]
        .into_iter()
        .find_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    }
}

/// Whether `version` of a package in `ecosystem` falls in any of `ranges` (compiles them for
/// this one version; see [`CompiledRanges`] to test many).
pub fn version_in_ranges(ecosystem: &str, version: &str, ranges: &[Range]) -> Option<bool> {
    CompiledRanges::new(
        ecosystem,
        ranges
            .iter()
            .map(|r| (r.kind, r.events.iter().filter_map(Event::kind))),
    )
    .contains(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        let s = Some(v.to_string());
        match kind {
            "introduced" => e.introduced = s,
            "fixed" => e.fixed = s,
            "last_affected" => e.last_affected = s,
            _ => e.limit = s,
        }
        e
    }

    fn semver(events: &[(&str, &str)]) -> Vec<Range> {
        vec![Range {
            kind: Some(RangeType::Semver),
            events: events.iter().map(|(k, v)| ev(k, v)).collect(),
        }]
    }

    #[test]
    fn introduced_fixed_pairs() {
        let r = semver(&[
            ("introduced", "0"),
            ("fixed", "1.2.0"),
            ("introduced", "2.0.0"),
            ("fixed", "2.0.5"),
        ]);
        assert_eq!(version_in_ranges("Go", "1.1.9", &r), Some(true));
        assert_eq!(version_in_ranges("Go", "1.2.0", &r), Some(false));
        assert_eq!(version_in_ranges("Go", "1.5.0", &r), Some(false));
        assert_eq!(version_in_ranges("Go", "2.0.0", &r), Some(true));
        assert_eq!(version_in_ranges("Go", "2.0.5", &r), Some(false));
        assert_eq!(version_in_ranges("Go", "garbage", &r), None);
    }

    #[test]
    fn last_affected_is_inclusive() {
        let r = semver(&[("introduced", "1.0.0"), ("last_affected", "1.4.0")]);
        assert_eq!(version_in_ranges("npm", "1.4.0", &r), Some(true));
        assert_eq!(version_in_ranges("npm", "1.4.1", &r), Some(false));
        assert_eq!(version_in_ranges("npm", "0.9.0", &r), Some(false));
    }

    #[test]
    fn git_only_is_undecidable() {
        let r = vec![Range {
            kind: Some(RangeType::Git),
            events: vec![ev("introduced", "abc")],
        }];
        assert_eq!(version_in_ranges("PyPI", "1.0", &r), None);
        assert_eq!(version_in_ranges("PyPI", "1.0", &[]), Some(false));
    }

    mod laws {
        use super::*;
        use proptest::prelude::*;

        /// Sorted, distinct SemVer versions 0.0.0 ..= 3.3.3 (64 of them).
        fn universe() -> Vec<String> {
            let mut out = Vec::new();
            for a in 0..4 {
                for b in 0..4 {
                    for c in 0..4 {
                        out.push(format!("{a}.{b}.{c}"));
                    }
                }
            }
            out
        }

        /// The oracle: sweep the sorted versions once, switching the state where events sit:
        /// an introduction turns it on at its version, a fix turns it off there, a
        /// last_affected turns it off after its version (introductions before fixes at one
        /// version).
        fn sweep(events: &[(Kind, Option<usize>)], n: usize) -> Vec<bool> {
            let at = |i: usize, kind: Kind| events.contains(&(kind, Some(i)));
            let mut state = events.contains(&(Kind::Introduced, None));
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                if at(i, Kind::Introduced) {
                    state = true;
                }
                if at(i, Kind::Fixed) {
                    state = false;
                }
                out.push(state);
                if at(i, Kind::LastAffected) {
                    state = false;
                }
            }
            out
        }

        fn event() -> impl Strategy<Value = (Kind, Option<usize>)> {
            prop_oneof![
                (0usize..64).prop_map(|i| (Kind::Introduced, Some(i))),
                Just((Kind::Introduced, None)),
                (0usize..64).prop_map(|i| (Kind::Fixed, Some(i))),
                (0usize..64).prop_map(|i| (Kind::LastAffected, Some(i))),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn ranges_agree_with_a_sweep_over_sorted_versions(
                events in proptest::collection::vec(event(), 1..7),
            ) {
                let all = universe();
                let as_events: Vec<(Kind, String)> = events
                    .iter()
                    .map(|(k, at)| (*k, at.map_or("0".to_string(), |i| all[i].clone())))
                    .collect();
                let compiled = CompiledRanges::new(
                    "Go",
                    [(Some(RangeType::Semver), as_events.iter().map(|(k, v)| (*k, v.as_str())))],
                );
                let want = sweep(&events, all.len());
                for (i, v) in all.iter().enumerate() {
                    prop_assert_eq!(compiled.contains(v), Some(want[i]), "{} with {:?}", v, as_events);
                }
            }
        }
    }
}
