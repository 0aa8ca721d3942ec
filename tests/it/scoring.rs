//! Evidence, score and confidence of findings: runtime signals ingested as JSON Lines, the
//! newest signal by the run's clock, and DESIGN.md's formulas recomputed here from the
//! finding's own CVSS score.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Vx, repo};

const IMAGE: &str = "sha256:9b2f1c0e5d7a4b3c8e6f1a2d3c4b5a697887960a5b4c3d2e1f00112233445566";
pub(crate) const JUNIT: &str = "pkg:maven/junit/junit@4.12";
pub(crate) const ZK: &str = "pkg:maven/org.apache.zookeeper/zookeeper@3.4.10";

fn corpus(rel: &str) -> PathBuf {
    repo().join("../shared/corpus").join(rel)
}

/// A lake with an image SBOM (junit and zookeeper) and the two real GHSA advisories that
/// affect them.
pub(crate) fn lake(dir: &Path) -> Vx {
    let vx = Vx::local(&dir.join("lake"));
    let c = |r: &str, purl: &str| json!({"type": "library", "bom-ref": r, "name": r, "purl": purl});
    let sbom = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "app-image",
                                   "purl": format!("pkg:oci/app-image@{}", IMAGE.replace(':', "%3A"))}},
        "components": [c("junit", JUNIT), c("zk", ZK)]
    });
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(inputs.join("advisories")).unwrap();
    std::fs::write(inputs.join("image.cdx.json"), sbom.to_string()).unwrap();
    for id in ["GHSA-269g-pwp5-87pp", "GHSA-2hw2-62cp-p9p7"] {
        std::fs::copy(
            corpus(&format!("osv/osv-scalibr-ghsa/{id}.json")),
            inputs.join("advisories").join(format!("{id}.json")),
        )
        .unwrap();
    }
    vx.ok(&[
        "ingest",
        "sbom",
        inputs.join("image.cdx.json").to_str().unwrap(),
    ]);
    vx.ok(&[
        "ingest",
        "advisories",
        inputs.join("advisories").to_str().unwrap(),
    ]);
    vx
}

fn signal(purl: &str, loaded: bool, at: &str) -> String {
    json!({"image_digest": IMAGE, "purl": purl, "loaded": loaded, "observed_at": at, "source": "agent"})
        .to_string()
}

fn finding(vx: &Vx, purl: &str) -> Value {
    let rows = vx.sql_json(&format!(
        "select cvss_score, reachability, runtime, score, confidence, confidence_tier, \
         explained_trace from findings where purl = '{purl}'"
    ));
    assert_eq!(rows.len(), 1, "{purl}: {rows:?}");
    rows[0].clone()
}

/// DESIGN.md's score, rounded to 2 decimals as the function documents.
fn expected_score(cvss: f64, trust: f64, reach: f64, runtime: f64) -> f64 {
    let s = 0.4 * cvss / 10.0 + 0.1 * trust + 0.3 * reach + 0.2 * runtime;
    (100.0 * s.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

#[test]
fn runtime_signals_score_findings_by_the_runs_clock() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    let signals = dir.path().join("signals.jsonl");
    std::fs::write(
        &signals,
        [
            signal(JUNIT, true, "2026-01-01T00:00:00Z"),
            // zookeeper: loaded, then seen not loaded later; the newest counts.
            signal(ZK, true, "2026-01-01T00:00:00Z"),
            signal(ZK, false, "2026-02-01T00:00:00Z"),
            // After the run's clock: not seen by it.
            signal(JUNIT, false, "2026-06-01T00:00:00Z"),
            "{\"image_digest\": \"sha256:short\", \"purl\": \"pkg:npm/a@1\", \"loaded\": true, \"observed_at\": \"2026-01-01T00:00:00Z\"}".into(),
        ]
        .join("\n"),
    )
    .unwrap();
    // One bad line: exit 2, its reject named by file and line; the good lines land.
    let out = vx.run(&["ingest", "runtime", signals.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("signals.jsonl:5") && stderr.contains("is not sha256:<64 hex digits>"),
        "{stderr}"
    );
    assert_eq!(vx.count("select count(*) from runtime_signals"), 4);
    assert_eq!(
        vx.count(
            "select count(*) from rejects where kind = 'runtime' and source like '%signals.jsonl:5'"
        ),
        1
    );
    // The same signals again: nothing new.
    vx.expect(2, &["ingest", "runtime", signals.to_str().unwrap()]);
    assert_eq!(vx.count("select count(*) from runtime_signals"), 4);

    vx.ok(&["evaluate", "--as-of", "2026-03-01T00:00:00Z"]);
    let junit = finding(&vx, JUNIT);
    let zk = finding(&vx, ZK);
    assert_eq!(junit["runtime"], "loaded", "{junit}");
    assert_eq!(zk["runtime"], "not_loaded", "{zk}");
    // No usage view in the lake: reachability unknown (0.5); no VEX: trust 1.
    for (f, runtime) in [(&junit, 1.0), (&zk, 0.0)] {
        assert_eq!(f["reachability"], "unknown");
        let cvss = f["cvss_score"].as_f64().expect("a CVSS score");
        assert_eq!(
            f["score"].as_f64(),
            Some(expected_score(cvss, 1.0, 0.5, runtime)),
            "{f}"
        );
        // reachability unknown 0, runtime known 1 (0.20), no VEX 0.5 (0.25 × 0.5), a CVSS
        // severity 1 (0.15), a decided match 1 (0.15).
        assert_eq!(f["confidence"].as_f64(), Some(0.625), "{f}");
        assert_eq!(f["confidence_tier"], "Medium");
        assert!(
            f["explained_trace"]
                .to_string()
                .contains("evidence:reachability unknown"),
            "{f}"
        );
    }

    // Before any signal: both unknown, and the confidence lower.
    vx.ok(&["evaluate", "--as-of", "2025-12-01T00:00:00Z"]);
    let junit = finding(&vx, JUNIT);
    assert_eq!(junit["runtime"], "unknown", "{junit}");
    let cvss = junit["cvss_score"].as_f64().unwrap();
    assert_eq!(
        junit["score"].as_f64(),
        Some(expected_score(cvss, 1.0, 0.5, 0.5))
    );
    assert_eq!(junit["confidence"].as_f64(), Some(0.425), "{junit}");
    assert_eq!(junit["confidence_tier"], "Low");
}
