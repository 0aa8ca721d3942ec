//! What every fuzz target checks. The targets themselves are one line each, in `fuzz_targets/`.
//!
//! A version parser must never panic (arithmetic overflow included: the targets run with debug
//! assertions), and the order it gives must be a total order on whatever it accepts. The input
//! is read as up to three versions separated by newlines, so libFuzzer explores pairs and
//! triples.

use std::cmp::Ordering;

use vexlake_udfs::kernels::purl::Purl;
use vexlake_udfs::kernels::versions::{self, Parsed, Scheme};

/// Parses and compares the versions in `data` under `scheme`, asserting the order's laws.
pub fn versions(scheme: Scheme, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // Arrow strings are UTF-8; the kernels never see anything else.
    };
    let mut parts = text.splitn(3, '\n');
    let a = parts.next().unwrap_or_default();
    let b = parts.next().unwrap_or(a);
    let c = parts.next().unwrap_or(b);
    let (pa, pb, pc) = (
        versions::parse(scheme, a),
        versions::parse(scheme, b),
        versions::parse(scheme, c),
    );
    assert_eq!(pa.is_some(), versions::valid(scheme, a));
    let (Some(pa), Some(pb)) = (pa, pb) else {
        assert_eq!(
            versions::compare(scheme, a, b),
            None,
            "{scheme}: {a:?} vs {b:?}"
        );
        return;
    };
    let ab = pa.compare(&pb).expect("same scheme");
    assert_eq!(
        pa.compare(&pa),
        Some(Ordering::Equal),
        "{scheme}: reflexive {a:?}"
    );
    assert_eq!(
        pb.compare(&pa),
        Some(ab.reverse()),
        "{scheme}: antisymmetric {a:?} {b:?}"
    );
    assert_eq!(
        versions::compare(scheme, a, b),
        Some(ab),
        "{scheme}: {a:?} vs {b:?}"
    );
    // Maven's own order is cyclic on one path; transitivity is checked everywhere else.
    let cyclic = |pc: &Parsed| {
        pa.outside_total_order(&pb) || pb.outside_total_order(pc) || pa.outside_total_order(pc)
    };
    if let Some(pc) = pc.filter(|pc| !cyclic(pc)) {
        let bc = pb.compare(&pc).expect("same scheme");
        let ac = pa.compare(&pc).expect("same scheme");
        if ab == bc {
            assert_eq!(ac, ab, "{scheme}: transitive {a:?} {b:?} {c:?}");
        }
        if ab == Ordering::Equal {
            assert_eq!(
                ac, bc,
                "{scheme}: equal versions order alike {a:?} {b:?} {c:?}"
            );
        }
    }
}

/// Parses `data` as a package URL; a parsed purl's package key must itself parse, to the same
/// key, and its OSV ecosystem must be computable. Under the specification's parser, the
/// canonical form must parse to itself.
pub fn purl(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(purl) = Purl::parse(text) else {
        return;
    };
    let key = purl.package_key();
    let again = Purl::parse(&key).unwrap_or_else(|| panic!("key {key:?} of {text:?} is no purl"));
    assert_eq!(
        again.package_key(),
        key,
        "the key of {text:?} is not stable"
    );
    let _ = purl.osv_ecosystem();
    if let Ok(strict) = Purl::parse_strict(text) {
        let canonical = strict.canonical();
        let again = Purl::parse_strict(&canonical)
            .unwrap_or_else(|e| panic!("canonical {canonical:?} of {text:?} does not parse: {e}"));
        assert_eq!(again.canonical(), canonical, "canonical form of {text:?} is not stable");
        let normalized = strict.normalized().canonical();
        let again = Purl::parse_strict(&normalized).expect("the normalized form parses");
        assert_eq!(again.normalized().canonical(), normalized, "{text:?}");
    }
}
