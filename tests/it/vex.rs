//! CSAF VEX lands in `vex_statements`: one statement per (vulnerability, product status,
//! product), counted here from the documents themselves.

use serde_json::Value;

use crate::common::{Vx, repo};

fn corpus(rel: &str) -> std::path::PathBuf {
    let path = repo().join("../shared/corpus").join(rel);
    assert!(
        path.exists(),
        "{} is missing: this test reads the team's corpus beside the checkout",
        path.display()
    );
    path
}

/// The statements a CSAF document makes, counted from its JSON: every product id of every
/// product status that is a VEX status (`recommended` is not).
fn statements_in(doc: &Value) -> usize {
    const STATUSES: [&str; 7] = [
        "known_affected",
        "first_affected",
        "last_affected",
        "known_not_affected",
        "fixed",
        "first_fixed",
        "under_investigation",
    ];
    doc["vulnerabilities"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|v| {
            STATUSES
                .iter()
                .map(move |s| v["product_status"][s].as_array().map_or(0, Vec::len))
        })
        .sum()
}

#[test]
fn csaf_vex_documents_land_one_statement_per_product_status() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let oasis = corpus("csaf/oasis-csaf-2.0/examples/csaf_vex");
    let redhat = corpus("csaf/redhat-vex/claircore/cve-2023-4154.json");
    vx.ok(&[
        "ingest",
        "vex",
        oasis.to_str().unwrap(),
        redhat.to_str().unwrap(),
    ]);
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&oasis)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.push(redhat.clone());
    let want: usize = files
        .iter()
        .map(|f| statements_in(&serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap()))
        .sum();
    assert!(want > 100, "{want}");
    assert_eq!(
        vx.count("select count(*) from vex_statements where format = 'csaf'"),
        want as i64
    );
    // An OASIS example, field by field: a vendor's not-affected statement and its impact.
    let rows = vx.sql_json(
        "select issuer, status, impact_statement, document_id from vex_statements \
         where vulnerability_id = 'CVE-2020-11896' and document_id = '2022-EVD-UC-02-NA-001'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["issuer"], "Example Company ProductCERT");
    assert_eq!(rows[0]["status"], "not_affected");
    assert_eq!(
        rows[0]["impact_statement"],
        "Linux TCP/IP used and therefore not vulnerable.\n"
    );
    // Red Hat's products resolve through the product tree to package URLs and keys; their
    // not-affected statements carry the flag's justification.
    let with_purl = vx.count(
        "select count(*) from vex_statements where document_id = 'CVE-2023-4154' \
         and product_purl like 'pkg:%' and product_key is not null",
    );
    assert!(with_purl > 0);
    let justified = vx.sql_json(
        "select distinct justification from vex_statements where document_id = 'CVE-2023-4154' \
         and status = 'not_affected' and justification is not null",
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&redhat).unwrap()).unwrap();
    let labels: Vec<&str> = doc["vulnerabilities"][0]["flags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["label"].as_str())
        .collect();
    for row in &justified {
        assert!(
            labels.contains(&row["justification"].as_str().unwrap()),
            "{row}"
        );
    }
    assert_eq!(justified.is_empty(), labels.is_empty());
}

/// Every VEX document of the corpus (OpenVEX, CSAF VEX, CycloneDX VEX) lands with the
/// statements, by status, that `tests/manifests/count_corpus_vex.py` counts independently, or
/// is rejected as it predicts; a copy of a document already read is counted unchanged.
#[test]
fn vex_corpus_matches_the_manifest() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/manifests/corpus_vex.json")).unwrap(),
    )
    .unwrap();
    let root = corpus("openvex").parent().unwrap().to_path_buf();
    let inputs: Vec<String> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| corpus(p.as_str().unwrap()).display().to_string())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let mut args = vec!["ingest", "vex"];
    args.extend(inputs.iter().map(String::as_str));
    let out = vx.expect(2, &args);
    let totals = &manifest["totals"];
    assert!(
        out.contains(&format!(
            "landed {}, unchanged {}, rejected {}",
            totals["landed"], totals["unchanged"], totals["rejected"]
        )),
        "{out}\nwant {totals}"
    );
    let rel = |source: &str| {
        source
            .strip_prefix(&format!("{}/", root.display()))
            .unwrap_or(source)
            .to_string()
    };
    // Statements per file and status, as the lake holds them.
    let mut got: std::collections::BTreeMap<String, serde_json::Map<String, Value>> =
        Default::default();
    for row in
        vx.sql_json("select source_path, status, count(*) as n from vex_statements group by 1, 2")
    {
        got.entry(rel(row["source_path"].as_str().unwrap()))
            .or_default()
            .insert(
                row["status"].as_str().unwrap().to_string(),
                row["n"].clone(),
            );
    }
    let rejected: std::collections::BTreeSet<String> = vx
        .sql_json("select source from rejects where kind = 'vex'")
        .iter()
        .map(|r| rel(r["source"].as_str().unwrap()))
        .collect();
    let mut statements = 0;
    for (file, want) in manifest["files"].as_object().unwrap() {
        if want.get("reject").is_some() {
            assert!(
                rejected.contains(file),
                "{file} should be rejected ({want})"
            );
            assert!(
                !got.contains_key(file),
                "{file} is rejected but has statements"
            );
        } else if want.get("unchanged").is_some() {
            assert!(
                !got.contains_key(file) && !rejected.contains(file),
                "{file}"
            );
        } else {
            let want = want["statements"].as_object().unwrap();
            assert_eq!(got.get(file), Some(want), "{file}");
            statements += want.values().map(|n| n.as_i64().unwrap()).sum::<i64>();
        }
    }
    let files = manifest["files"].as_object().unwrap().len();
    let unchanged = totals["unchanged"].as_u64().unwrap() as usize;
    assert_eq!(got.len() + rejected.len() + unchanged, files);
    assert_eq!(statements, totals["statements"].as_i64().unwrap());
    assert!(statements > 2000, "{statements}");
    // Every statement has a normalized status and keeps its raw text.
    assert_eq!(
        vx.count(
            "select count(*) from vex_statements where status not in \
             ('affected', 'not_affected', 'fixed', 'under_investigation') or raw is null or raw = ''"
        ),
        0
    );
    // Their consensus is queryable per vulnerability and product.
    assert!(vx.count("select count(*) from vex_consensus") > 1000);
}
