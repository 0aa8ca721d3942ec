//! `vexlake dataset fleet`: the same seed gives the same documents in two processes, another
//! seed another fleet; the fleet has the advertised shape (images, shared base layers, labels,
//! component counts, runtime signals, VEX with conflicts) and a share of it matches the
//! advisories it was drawn from.

use std::path::Path;

use crate::common::{Vx, repo};

/// A lake with the corpus's GHSA and AlmaLinux advisories.
fn lake(dir: &Path, name: &str) -> Vx {
    let vx = Vx::local(&dir.join(name));
    for folder in ["osv-scalibr-ghsa", "almalinux"] {
        let path = repo().join("../shared/corpus/osv").join(folder);
        vx.ok(&["ingest", "advisories", path.to_str().unwrap()]);
    }
    vx
}

fn sbom_ids(vx: &Vx) -> Vec<String> {
    vx.sql_json("select sbom_id from artifacts order by sbom_id")
        .into_iter()
        .map(|r| r["sbom_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_fleet_and_another_seed_another() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        lake(dir.path(), "a"),
        lake(dir.path(), "b"),
        lake(dir.path(), "c"),
    );
    let out = a.ok(&["dataset", "fleet", "--images", "40", "--seed", "7"]);
    assert_eq!(
        b.ok(&["dataset", "fleet", "--images", "40", "--seed", "7"]),
        out
    );
    c.ok(&["dataset", "fleet", "--images", "40", "--seed", "8"]);
    // An SBOM's id is the sha256 of its bytes: equal ids are equal documents.
    let (ids_a, ids_b, ids_c) = (sbom_ids(&a), sbom_ids(&b), sbom_ids(&c));
    assert_eq!(ids_a.len(), 40);
    assert_eq!(ids_a, ids_b);
    assert!(ids_a.iter().all(|id| !ids_c.contains(id)));
    let rows = |vx: &Vx, sql: &str| vx.sql_json(sql);
    for sql in [
        "select image_digest, repository, labels, created from images order by image_digest",
        "select * from layers order by image_digest, layer_index",
        "select image_digest, purl, loaded, observed_at from runtime_signals order by image_digest, purl",
        "select issuer, vulnerability_id, product_purl, status from vex_statements \
         order by issuer, vulnerability_id, product_purl, status",
    ] {
        let (x, y) = (rows(&a, sql), rows(&b, sql));
        assert!(!x.is_empty(), "{sql}");
        assert_eq!(x, y, "{sql}");
    }
}

#[test]
fn the_fleet_has_its_shape_and_matches_the_advisories_it_was_drawn_from() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path(), "lake");
    let out = vx.ok(&["dataset", "fleet", "--images", "60", "--seed", "1"]);
    assert!(out.contains("dataset fleet: 60 images"), "{out}");
    assert!(out.contains("AlmaLinux"), "{out}");
    assert_eq!(vx.count("select count(*) from images"), 60);
    assert_eq!(
        vx.count("select count(distinct image_digest) from components"),
        60
    );
    // Base layers are shared: a dozen bases under 60 images.
    let bases = vx.count("select count(distinct layer_digest) from layers where layer_index = 0");
    assert!((2..=12).contains(&bases), "{bases}");
    // Components per image: a median in the hundreds, and a spread.
    let per_image = vx.sql_json(
        "select n from (select image_digest, count(*) as n from components group by 1) order by n",
    );
    let n = |i: usize| per_image[i]["n"].as_i64().unwrap();
    assert!((150..=700).contains(&n(30)), "median {}", n(30));
    assert!(n(59) > 2 * n(0), "{} .. {}", n(0), n(59));
    // Labels reach the environment: the SBOMs carry env and team as metadata properties.
    assert_eq!(
        vx.count("select count(*) from artifacts where array_has(labels, 'env=prod')"),
        vx.count("select count(*) from images where array_has(labels, 'env=prod')")
    );
    assert!(vx.count("select count(*) from runtime_signals") > 0);
    // VEX from several issuers, some contradicting each other: the consensus has conflicts.
    assert!(vx.count("select count(distinct issuer) from vex_statements") >= 3);
    assert!(vx.count("select count(*) from vex_consensus where k4 = 3") > 0);
    // A share of the fleet matches: findings, in more than one ecosystem.
    vx.ok(&["evaluate", "--as-of", "2026-03-01T00:00:00Z"]);
    let findings = vx.count("select count(*) from findings");
    assert!(findings > 60, "{findings}");
    assert!(vx.count("select count(distinct split_part(ecosystem, ':', 1)) from findings") >= 3);
    // ... and the statements reach them: some are passed by VEX, some warn on a conflict.
    assert!(
        vx.count("select count(*) from findings where vex_status in ('not_affected', 'fixed')") > 0
    );
    assert!(vx.count("select count(*) from findings where vex_status = 'conflict'") > 0);
}

#[test]
fn without_advisories_the_fleet_says_nothing_can_match() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    let out = vx.ok(&["dataset", "fleet", "--images", "3", "--seed", "1"]);
    assert!(
        out.contains("0 (0.0%) are packages the advisories name"),
        "{out}"
    );
    assert!(out.contains("ingest advisories first"), "{out}");
}
