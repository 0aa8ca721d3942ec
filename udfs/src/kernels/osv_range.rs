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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// Whether `version` of a package in `ecosystem` falls in any of `ranges`.
///
/// `Some(true)` affected, `Some(false)` not affected by these ranges, `None` undecidable (a
/// version or event that the scheme cannot read, or only `GIT`/unknown ranges).
pub fn version_in_ranges(ecosystem: &str, version: &str, ranges: &[Range]) -> Option<bool> {
    let decidable: Vec<&Range> = ranges
        .iter()
        .filter(|r| matches!(r.kind, Some(RangeType::Semver | RangeType::Ecosystem)))
        .collect();
    if decidable.is_empty() {
        return if ranges.is_empty() { Some(false) } else { None };
    }
    let mut unknown = false;
    for range in decidable {
        let scheme = match range.kind {
            Some(RangeType::Semver) => Some(Scheme::Semver),
            _ => Scheme::for_ecosystem(ecosystem),
        };
        let Some(scheme) = scheme else {
            // An ecosystem without an exact scheme: undecidable, never guessed.
            unknown = true;
            continue;
        };
        match in_range(scheme, version, &range.events) {
            Some(true) => return Some(true),
            Some(false) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(false) }
}

fn in_range(scheme: Scheme, version: &str, events: &[Event]) -> Option<bool> {
    let v = versions::parse(scheme, version)?;
    // (parsed version or None for "0", kind) pairs in version order.
    let mut points = Vec::with_capacity(events.len());
    for e in events {
        let (kind, raw) = match e {
            Event {
                introduced: Some(x),
                ..
            } => (Kind::Introduced, x),
            Event { fixed: Some(x), .. } => (Kind::Fixed, x),
            Event {
                last_affected: Some(x),
                ..
            } => (Kind::LastAffected, x),
            Event { limit: Some(x), .. } => (Kind::Limit, x),
            _ => continue,
        };
        let at = if kind == Kind::Introduced && raw == "0" {
            None
        } else if kind == Kind::Limit && raw == "*" {
            continue;
        } else {
            Some(versions::parse(scheme, raw)?)
        };
        points.push((at, kind));
    }
    points.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => a.1.cmp(&b.1),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)),
    });
    let mut affected = false;
    for (at, kind) in &points {
        let reached = match (at, kind) {
            (None, _) => true,
            (Some(p), Kind::LastAffected) => v.compare(p) == Some(Ordering::Greater),
            (Some(p), _) => v.compare(p) != Some(Ordering::Less),
        };
        if !reached {
            break;
        }
        affected = match kind {
            Kind::Introduced => true,
            Kind::Fixed | Kind::LastAffected | Kind::Limit => false,
        };
    }
    Some(affected)
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
}
