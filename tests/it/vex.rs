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
