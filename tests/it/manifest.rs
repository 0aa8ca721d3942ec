//! The sample's row counts against `tests/manifests/sample.json`, which an independent Python
//! counter (`tests/manifests/count_sample.py`) wrote from the documents themselves.

use serde_json::Value;

use crate::common::{Vx, repo, sample};

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/manifests/sample.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest JSON")
}

fn n(m: &Value, key: &str) -> i64 {
    m[key]
        .as_i64()
        .unwrap_or_else(|| panic!("manifest has no {key}"))
}

#[test]
fn sample_counts_match_the_manifest() {
    let m = manifest();
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let out = vx.ok(&["ingest", "sbom", sample("sboms").to_str().unwrap()]);
    assert!(
        out.contains(&format!(
            "read {0}, landed {0}, unchanged 0, rejected 0",
            n(&m, "sbom_documents")
        )),
        "{out}"
    );
    assert_eq!(
        vx.count("select count(*) from components"),
        n(&m, "components")
    );
    assert_eq!(
        vx.count("select count(*) from dependencies"),
        n(&m, "dependencies")
    );
    for (file, counts) in m["sboms"].as_object().unwrap() {
        let got = vx.count(&format!(
            "select count(*) from components c join artifacts a on c.sbom_id = a.sbom_id \
             where a.source_path like '%/{file}'"
        ));
        assert_eq!(
            got,
            counts["components"].as_i64().unwrap(),
            "components of {file}"
        );
    }
    vx.ok(&[
        "ingest",
        "advisories",
        sample("advisories").to_str().unwrap(),
    ]);
    assert_eq!(
        vx.count("select count(*) from advisory_raw"),
        n(&m, "advisory_records")
    );
    assert_eq!(
        vx.count("select count(*) from advisory_observations"),
        n(&m, "advisory_records")
    );
    assert_eq!(
        vx.count("select count(*) from advisory_affected"),
        n(&m, "advisory_affected")
    );
    vx.ok(&["ingest", "vex", sample("vex").to_str().unwrap()]);
    assert_eq!(
        vx.count("select count(distinct document_digest) from vex_statements"),
        n(&m, "vex_documents")
    );
    assert_eq!(
        vx.count("select count(*) from vex_statements"),
        n(&m, "vex_statement_rows")
    );
}
