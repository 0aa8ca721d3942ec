//! `vers:` version ranges (<https://github.com/package-url/vers-spec>), as CycloneDX VEX writes
//! them (`vers:semver/>=2.0.0|<=2.7.0`), decided with the scheme's exact comparison.

use std::cmp::Ordering;

use super::versions::{Scheme, compare};

/// The vexlake scheme of a `vers` versioning scheme (named after purl types); `None` for one
/// without an exact scheme here (never guessed).
pub fn scheme(vers_scheme: &str) -> Option<Scheme> {
    Some(match vers_scheme.to_ascii_lowercase().as_str() {
        "semver" | "npm" | "cargo" | "golang" | "hex" => Scheme::Semver,
        "pypi" => Scheme::Pep440,
        "maven" => Scheme::Maven,
        "deb" | "debian" | "ubuntu" => Scheme::Dpkg,
        "rpm" => Scheme::Rpm,
        "alpine" | "apk" => Scheme::Apk,
        "gem" => Scheme::RubyGems,
        "nuget" => Scheme::NuGet,
        "cran" => Scheme::Cran,
        "hackage" => Scheme::Hackage,
        "composer" => Scheme::Composer,
        "pub" => Scheme::Pub,
        "swift" => Scheme::Swift,
        _ => return None,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn constraint(c: &str) -> Option<(Op, &str)> {
    let c = c.trim();
    let (op, v) = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ]
    .iter()
    .find_map(|(p, op)| c.strip_prefix(p).map(|v| (*op, v)))
    .unwrap_or((Op::Eq, c));
    let v = v.trim();
    (!v.is_empty()).then_some((op, v))
}

fn holds(op: Op, o: Ordering) -> bool {
    match op {
        Op::Eq => o.is_eq(),
        Op::Ne => o.is_ne(),
        Op::Lt => o.is_lt(),
        Op::Le => o.is_le(),
        Op::Gt => o.is_gt(),
        Op::Ge => o.is_ge(),
    }
}

/// Whether `version` is in the `vers:` range `range`, by the specification's algorithm: an
/// equal (`=`) constraint includes, an unequal one (`!=`) excludes, and the remaining
/// constraints, sorted by version, are read as a lower bound, an upper bound or a pair of them.
/// `None` when the range or the version cannot be read in the range's scheme.
pub fn contains(range: &str, version: &str) -> Option<bool> {
    let rest = range.trim().strip_prefix("vers:")?;
    let (scheme_name, constraints) = rest.split_once('/')?;
    let scheme = scheme(scheme_name)?;
    let constraints = constraints.trim();
    if constraints == "*" {
        return Some(true);
    }
    let mut bounds: Vec<(Op, &str)> = Vec::new();
    for c in constraints.split('|') {
        let (op, v) = constraint(c)?;
        let o = compare(scheme, version, v)?;
        match op {
            Op::Eq if o.is_eq() => return Some(true),
            Op::Ne if o.is_eq() => return Some(false),
            Op::Eq | Op::Ne => {}
            _ => bounds.push((op, v)),
        }
    }
    let mut sorted = bounds;
    let mut failed = false;
    sorted.sort_by(|a, b| {
        compare(scheme, a.1, b.1).unwrap_or_else(|| {
            failed = true;
            Ordering::Equal
        })
    });
    if failed {
        return None;
    }
    let at = |i: usize| -> Option<bool> {
        let (op, v) = sorted[i];
        Some(holds(op, compare(scheme, version, v)?))
    };
    let lower = |op: Op| matches!(op, Op::Gt | Op::Ge);
    let mut i = 0;
    while i < sorted.len() {
        let (op, _) = sorted[i];
        if lower(op) {
            // A lower bound, closed by the next constraint when it is an upper one.
            match sorted.get(i + 1) {
                Some((next, _)) if !lower(*next) => {
                    if at(i)? && at(i + 1)? {
                        return Some(true);
                    }
                    i += 2;
                }
                _ => {
                    if at(i)? {
                        return Some(true);
                    }
                    i += 1;
                }
            }
        } else {
            // An upper bound with no lower bound before it.
            if at(i)? {
                return Some(true);
            }
            i += 1;
        }
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_from_the_cyclonedx_vex_examples() {
        let r = "vers:semver/>=2.0.0|<=2.7.0";
        assert_eq!(contains(r, "2.0.0"), Some(true));
        assert_eq!(contains(r, "2.7.0"), Some(true));
        assert_eq!(contains(r, "2.7.1"), Some(false));
        assert_eq!(contains(r, "1.9.9"), Some(false));
    }

    #[test]
    fn the_specification_examples() {
        // vers-spec: "vers:pypi/>=1.2.3|<2.0.0|!=1.5.0" style ranges, unions and exclusions.
        let r = "vers:pypi/>=1.2.3|<2.0.0|!=1.5.0";
        assert_eq!(contains(r, "1.4"), Some(true));
        assert_eq!(contains(r, "1.5.0"), Some(false));
        assert_eq!(contains(r, "2.0"), Some(false));
        let union = "vers:npm/<1.0.0|>=2.0.0|<3.0.0|=4.1.0";
        assert_eq!(contains(union, "0.9.0"), Some(true));
        assert_eq!(contains(union, "1.5.0"), Some(false));
        assert_eq!(contains(union, "2.5.0"), Some(true));
        assert_eq!(contains(union, "4.1.0"), Some(true));
        assert_eq!(contains(union, "4.2.0"), Some(false));
        assert_eq!(contains("vers:deb/*", "1:2.3-4"), Some(true));
        // Versions compared by the scheme, not as text: 1.10 > 1.9 in dpkg.
        assert_eq!(contains("vers:deb/>=1.9|<1.11", "1.10"), Some(true));
    }

    #[test]
    fn unknown_schemes_and_bad_versions_are_undecidable() {
        assert_eq!(contains("vers:madeup/>=1", "1"), None);
        assert_eq!(contains("semver/>=1", "1.0.0"), None);
        assert_eq!(contains("vers:semver/>=1.0.0", "not a version"), None);
    }
}
