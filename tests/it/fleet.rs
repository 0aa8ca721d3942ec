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

/// [`lake`] with `dataset fleet --images N --seed S` in it, and what the generator printed.
fn fleet(dir: &Path, images: &str, seed: &str) -> (Vx, String) {
    let vx = lake(dir, "lake");
    let out = vx.ok(&["dataset", "fleet", "--images", images, "--seed", seed]);
    (vx, out)
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
    let (vx, out) = fleet(dir.path(), "60", "1");
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

/// A fleet's image evaluated alone (`evaluate --image`) gives the rows the whole fleet's run
/// gave it, commits nothing, and an unknown subject is an error that says where to look.
#[test]
fn one_image_alone_gets_what_the_fleet_run_gave_it_and_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (vx, _) = fleet(dir.path(), "30", "3");
    let as_of = "2026-03-01T00:00:00Z";
    let full = vx.ok(&["evaluate", "--as-of", as_of]);
    assert!(full.contains("findings version 1:"), "{full}");
    let top = vx.sql_json(
        "select subject, count(*) as n from findings group by subject order by n desc, subject \
         limit 1",
    );
    let subject = top[0]["subject"].as_str().unwrap().to_string();
    let verdict = |v: &str| {
        vx.count(&format!(
            "select count(*) from findings where subject = '{subject}' and verdict = '{v}'"
        ))
    };
    let (fail, block, warn, pass) = (
        verdict("FAIL"),
        verdict("BLOCK"),
        verdict("WARN"),
        verdict("PASS"),
    );
    assert!(fail + block + warn + pass > 0);
    let alone = vx.ok(&["evaluate", "--image", &subject, "--as-of", as_of]);
    let want = format!(
        "evaluate {subject}: {} findings (FAIL {fail}, BLOCK {block}, WARN {warn}, PASS {pass})",
        fail + block + warn + pass
    );
    assert!(alone.contains(&want), "want {want}\n{alone}");
    assert!(alone.contains("not committed"), "{alone}");
    // The rows it prints are the fleet run's, in the same order.
    let ids: Vec<String> = vx
        .sql_json(&format!(
            "select vulnerability_id from findings where subject = '{subject}' \
             order by vulnerability_id, purl, source limit 40"
        ))
        .iter()
        .map(|r| r["vulnerability_id"].as_str().unwrap().to_string())
        .collect();
    let printed = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("| ") && !l.contains("vulnerability_id"))
            .map(|l| l.split('|').nth(3).unwrap().trim().to_string())
            .collect()
    };
    assert_eq!(printed(&alone), ids);
    // The same image named by its SBOM's id: the same rows (its components are then read by
    // sbom_id, not by the digest).
    let sbom = vx.sql_json(&format!(
        "select sbom_id from artifacts where image_digest = '{subject}'"
    ));
    assert_eq!(sbom.len(), 1);
    let sbom_id = sbom[0]["sbom_id"].as_str().unwrap();
    assert_ne!(sbom_id, subject);
    let by_id = vx.ok(&["evaluate", "--subject", sbom_id, "--as-of", as_of]);
    let want_by_id = want.replace(&subject, sbom_id);
    assert!(by_id.contains(&want_by_id), "want {want_by_id}\n{by_id}");
    assert_eq!(printed(&by_id), ids);
    // Nothing committed: the next full run writes version 2.
    assert!(
        vx.ok(&["evaluate", "--as-of", as_of])
            .contains("findings version 2:")
    );
    let err = vx.run(&["evaluate", "--subject", "sha256:0000"]);
    assert_eq!(err.status.code(), Some(2));
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(err.contains("no SBOM in the lake has"), "{err}");
}

/// Under a memory limit a fleet's run gives the same rows as without one; a limit that is not
/// a size is an error.
#[test]
fn a_memory_limit_changes_nothing_in_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (vx, _) = fleet(dir.path(), "30", "4");
    let as_of = "2026-03-01T00:00:00Z";
    let free = crate::common::determinism_hash(&vx.ok(&["evaluate", "--as-of", as_of]));
    let limited = vx.ok(&["--memory-limit", "400M", "evaluate", "--as-of", as_of]);
    assert_eq!(crate::common::determinism_hash(&limited), free);
    let err = vx.run(&["--memory-limit", "lots", "evaluate"]);
    assert_eq!(err.status.code(), Some(2));
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(err.contains("is not a memory size"), "{err}");
}

/// The DuckDB comparison (benches/duckdb_join.py) on a small fleet: the script runs, both
/// engines count the same candidate pairs, and there are some.
#[test]
fn the_candidate_join_counts_the_same_in_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let (vx, _) = fleet(dir.path(), "40", "5");
    let python = std::env::var("VEXLAKE_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(repo().join("benches/duckdb_join.py"))
        .args(["--lake", dir.path().join("lake").to_str().unwrap()])
        .args(["--vexlake", env!("CARGO_BIN_EXE_vexlake"), "--runs", "2"])
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<i64> = stdout
        .lines()
        .filter_map(|l| l.split("rows ").nth(1))
        .map(|r| r.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0], rows[1], "{stdout}");
    // The same count straight from the lake, in SQL of its own.
    let direct = vx.count(
        "select count(*) from components c join advisory_affected a \
         on c.package_key = a.package_key \
         and split_part(c.ecosystem, ':', 1) = split_part(a.ecosystem, ':', 1) \
         where c.view = 'inventory' and array_has(a.versions, c.version)",
    );
    assert!(direct > 0);
    assert_eq!(rows[0], direct, "{stdout}");
}
