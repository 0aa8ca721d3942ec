//! CSAF 2.0 VEX (<https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html>, profile 5, and
//! any CSAF document's product statuses): one statement per (vulnerability, product status,
//! product). Products resolve through the product tree ([`crate::ingest::csaf_tree`]) to their
//! package URLs. Statuses map to VEX: `known_affected`, `first_affected`, `last_affected` →
//! affected; `known_not_affected` → not_affected; `fixed`, `first_fixed` → fixed;
//! `under_investigation` → under_investigation (`recommended` names a version to move to, not a
//! status, and makes no statement). A product's flag gives the justification (CSAF's labels are
//! OpenVEX's), its `impact` threat the impact statement, its remediations the action statement.
//! The issuer is `document.publisher.name`.

use std::collections::HashMap;

use super::{Claim, DocFacts, Product, StatementRow, Target, VexStatus};
use crate::ingest::advisory::schemas::{Shape, check};
use crate::ingest::csaf_tree::{groups, list, product_ids, products, text};
use crate::ingest::{parse_time, ts};
use serde_json::Value;

/// Whether `doc` is a CSAF document.
pub fn is_csaf(doc: &Value) -> bool {
    doc.pointer("/document/csaf_version").is_some()
}

fn status(bucket: &str) -> Option<VexStatus> {
    Some(match bucket {
        "known_affected" | "first_affected" | "last_affected" => VexStatus::Affected,
        "known_not_affected" => VexStatus::NotAffected,
        "fixed" | "first_fixed" => VexStatus::Fixed,
        "under_investigation" => VexStatus::UnderInvestigation,
        _ => return None,
    })
}

/// For each product id, the texts `key`'s entries give it (joined when several do), through
/// `field` of each entry; `keep` picks entries.
fn per_product(
    vuln: &Value,
    key: &str,
    field: &str,
    keep: impl Fn(&Value) -> bool,
    groups: &HashMap<&str, Vec<&str>>,
) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for entry in list(vuln, key).filter(|e| keep(e)) {
        let Some(t) = text(entry, field) else {
            continue;
        };
        for p in product_ids(entry, groups) {
            let slot = out.entry(p.to_string()).or_default();
            if !slot.is_empty() {
                slot.push_str("\n\n");
            }
            slot.push_str(&t);
        }
    }
    out
}

/// The statements of one CSAF document (already parsed as `doc`).
pub fn parse(
    doc: &Value,
    tenant: &str,
    digest: &str,
    source_path: &str,
    now: &str,
) -> Result<Vec<StatementRow>, String> {
    check(Shape::Csaf, doc)?;
    let document_id = text(doc, "/document/tracking/id");
    let facts = DocFacts {
        tenant,
        digest,
        source_path,
        now,
        format: "csaf",
        issuer: text(doc, "/document/publisher/name"),
        document_id: document_id.clone(),
    };
    let timestamp = text(doc, "/document/tracking/current_release_date")
        .as_deref()
        .and_then(parse_time)
        .map(ts);
    let tree = &doc["product_tree"];
    let products = products(tree);
    let groups = groups(tree);
    // A product without a purl or a CPE is known by its id, which only its document defines.
    let product = |pid: &str| -> Product {
        let p = products.get(pid);
        match (
            p.and_then(|p| p.purl.as_deref()),
            p.and_then(|p| p.cpe.as_deref()),
        ) {
            (Some(purl), _) => Product::parse(purl),
            (None, Some(cpe)) => Product::cpe(cpe),
            (None, None) => Product::parse(&format!(
                "csaf:{}#{pid}",
                document_id.as_deref().unwrap_or(digest)
            )),
        }
    };
    let mut rows = Vec::new();
    for (i, vuln) in list(doc, "vulnerabilities").enumerate() {
        let ids: Vec<String> = text(vuln, "/cve")
            .into_iter()
            .chain(list(vuln, "ids").filter_map(|x| text(x, "/text")))
            .collect();
        let Some((vulnerability_id, aliases)) = ids.split_first() else {
            return Err(format!("vulnerabilities[{i}]: no cve and no ids"));
        };
        let justifications = per_product(vuln, "flags", "/label", |_| true, &groups);
        let impacts = per_product(
            vuln,
            "threats",
            "/details",
            |t| text(t, "/category").as_deref() == Some("impact"),
            &groups,
        );
        let actions = per_product(vuln, "remediations", "/details", |_| true, &groups);
        let raw = serde_json::to_string(vuln).unwrap_or_default();
        let Some(Value::Object(statuses)) = vuln.get("product_status") else {
            continue;
        };
        for (bucket, pids) in statuses {
            let Some(status) = status(bucket) else {
                continue;
            };
            for pid in pids
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let claim = Claim {
                    vulnerability_id: vulnerability_id.clone(),
                    aliases: aliases.to_vec(),
                    status,
                    justification: justifications.get(pid).cloned(),
                    impact_statement: impacts.get(pid).cloned(),
                    action_statement: actions.get(pid).cloned(),
                    timestamp: timestamp.clone(),
                    raw: raw.clone(),
                };
                let product = product(pid);
                let target = Target {
                    product: Some(&product),
                    ..Target::default()
                };
                rows.push(facts.row(&claim, &target, &[&i.to_string(), bucket, pid]));
            }
        }
    }
    Ok(rows)
}
