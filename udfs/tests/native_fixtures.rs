//! vexlake's version order against each ecosystem's own tool: every line of
//! `tests/fixtures/versions/<scheme>.txt` (written by `make_fixtures.py` with dpkg, rpm,
//! Maven's ComparableVersion, node-semver, Python packaging and RubyGems) must hold both ways.

use std::cmp::Ordering;
use std::path::Path;

use vexlake_udfs::kernels::versions::{Scheme, compare};

fn check(scheme: Scheme) -> (usize, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/versions")
        .join(format!("{scheme}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = parts[..] else {
            panic!("{}: bad line {line:?}", path.display())
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            _ => panic!("{}: bad operator in {line:?}", path.display()),
        };
        checked += 1;
        let got = (compare(scheme, a, b), compare(scheme, b, a));
        if got != (Some(want), Some(want.reverse())) {
            wrong.push(format!(
                "{line}  (vexlake: {:?}, reversed {:?})",
                got.0, got.1
            ));
        }
    }
    (checked, wrong)
}

fn assert_agrees(scheme: Scheme) {
    let (checked, wrong) = check(scheme);
    assert!(checked > 1000, "{scheme}: only {checked} pairs");
    assert!(
        wrong.is_empty(),
        "{scheme}: {} of {checked} pairs disagree with the native tool:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn semver_agrees_with_node_semver() {
    assert_agrees(Scheme::Semver);
}

#[test]
fn pep440_agrees_with_python_packaging() {
    assert_agrees(Scheme::Pep440);
}

#[test]
fn maven_agrees_with_comparable_version() {
    assert_agrees(Scheme::Maven);
}

#[test]
fn dpkg_agrees_with_dpkg() {
    assert_agrees(Scheme::Dpkg);
}

#[test]
fn rpm_agrees_with_rpm_label_compare() {
    assert_agrees(Scheme::Rpm);
}

#[test]
fn rubygems_agrees_with_gem_version() {
    assert_agrees(Scheme::RubyGems);
}
