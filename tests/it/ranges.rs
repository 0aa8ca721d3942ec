//! OSV ranges end to end: real advisories from the corpus and an SBOM of probe versions just
//! below, at and just above every event of a sample of Go, crates.io, PyPI, AlmaLinux and Maven
//! packages; the findings must be exactly those that `tests/fixtures/ranges/make_cases.py`
//! computed independently (Python packaging, rpm's own compare, Maven's ComparableVersion, a
//! separate SemVer).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{AS_OF, Vx, fixture};

fn triples(rows: &[Value]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("purl"), s("vulnerability_id"), s("match_state"))
        })
        .collect()
}

#[test]
fn findings_just_below_at_and_above_every_event_match_an_independent_matcher() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let advisories = fixture("ranges/advisories");
    vx.ok(&["ingest", "advisories", advisories.to_str().unwrap()]);
    vx.ok(&[
        "ingest",
        "sbom",
        fixture("ranges/probes.cdx.json").to_str().unwrap(),
    ]);
    vx.ok(&["evaluate", "--as-of", AS_OF]);

    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ranges/expected.json")).unwrap())
            .unwrap();
    let expected: BTreeSet<(String, String, String)> = manifest["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |i: usize| f[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2))
        })
        .collect();
    assert!(
        expected.len() > 1000,
        "only {} expected findings",
        expected.len()
    );

    let got = triples(
        &vx.sql_json("select purl, vulnerability_id, match_state from findings order by 1, 2"),
    );
    let missing: Vec<_> = expected.difference(&got).take(30).collect();
    let extra: Vec<_> = got.difference(&expected).take(30).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} expected, {} found; missing (first 30): {missing:#?}\nextra (first 30): {extra:#?}",
        expected.len(),
        got.len()
    );
}

#[test]
fn distro_binaries_match_advisories_on_their_source_package() {
    // CVE-2018-5407 as osv-schema's linter test data has it: Alpine's openssl (a source
    // package), fixed in 1.0.2q-r0 for v3.3 to v3.8.
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ok(&[
        "ingest",
        "advisories",
        fixture("distro/CVE-2018-5407.json").to_str().unwrap(),
    ]);
    vx.ok(&[
        "ingest",
        "sbom",
        fixture("distro/alpine.cdx.json").to_str().unwrap(),
    ]);
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    let got: BTreeSet<String> = vx
        .sql_json("select purl from findings where vulnerability_id = 'CVE-2018-5407'")
        .iter()
        .map(|r| r["purl"].as_str().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> = [
        // libssl1.0 built from openssl 1.0.2p-r0 on Alpine 3.8: affected.
        "pkg:apk/alpine/libssl1.0@1.0.2p-r0?arch=x86_64&upstream=openssl&distro=alpine-3.8.1",
        // openssl itself on 3.7, before the fix.
        "pkg:apk/alpine/openssl@1.0.2o-r2?arch=x86_64&distro=alpine-3.7.0",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // Not: the fixed version (b), a release the advisory does not name (c), and a binary
    // whose purl does not say its source (e).
    assert_eq!(got, want);
}
