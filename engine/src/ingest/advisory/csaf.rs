//! CSAF 2.0 (<https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html>): one record per
//! document, its id the document's `tracking.id`. The product tree (branches, full product
//! names, relationships) resolves every product id to the package URL (and CPE) of its
//! `product_identification_helper`, and a relationship's product to the platform it is a
//! component of; each product status of each vulnerability becomes a linkset: `fixed` and
//! `first_fixed` a range fixed at that version, `known_affected` (and first/last affected) that
//! version, the others (`known_not_affected`, `under_investigation`, `recommended`) their status
//! alone. Remediations stay with the products they name (directly or through a product group).
//! A Red Hat tombstone (`tracking.status: deleted`) withdraws the record.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use serde_json::Value;
use vexlake_udfs::kernels::purl::Purl;

use super::{Affected, Event, Observation, Range, Record, Remediation, Severity};
use crate::ingest::csaf_tree::{Product, groups, list, product_ids, products, text};
use crate::ingest::{canonical_json, parse_time, ts};

/// The OSV ecosystem of a product: Red Hat packages take their platform's CPE
/// (`cpe:/a:redhat:rhel_aus:8.6::appstream` gives `Red Hat:rhel_aus:8.6::appstream`, as the
/// OSV project's own CSAF converter names them); other packages their purl's ecosystem.
fn ecosystem(purl: &Purl, platform_cpe: Option<&str>) -> Option<String> {
    let redhat = purl.ty == "rpm" && purl.namespace.first().is_some_and(|n| n == "redhat");
    if redhat
        && let Some(cpe) = platform_cpe
        && let Some(rest) = ["cpe:/a:redhat:", "cpe:/o:redhat:"]
            .iter()
            .find_map(|p| cpe.strip_prefix(p))
    {
        return Some(format!("Red Hat:{rest}"));
    }
    purl.osv_ecosystem()
}

/// The version a linkset compares: RPM versions carry their epoch (`0:` when the purl names
/// none), as Red Hat's advisories and the OSV converter write them.
fn linkset_version(purl: &Purl) -> Option<String> {
    let version = purl.version.clone()?;
    if purl.ty == "rpm" && !version.contains(':') {
        return Some(format!(
            "{}:{version}",
            purl.qualifier("epoch").unwrap_or("0")
        ));
    }
    Some(version)
}

/// The linkset of one product in one product status.
fn linkset(status: &str, product: &Product, remediations: Vec<Remediation>) -> Affected {
    let parsed = product.purl.as_deref().and_then(Purl::parse);
    let mut a = Affected {
        purl: product.purl.clone(),
        cpes: product
            .cpe
            .iter()
            .chain(&product.platform_cpe)
            .cloned()
            .collect(),
        remediations,
        ..Affected::new(status)
    };
    let Some(purl) = parsed else {
        return a;
    };
    a.ecosystem = ecosystem(&purl, product.platform_cpe.as_deref());
    a.package_name = Some(purl.name.clone());
    a.package_key = Some(purl.package_key());
    let version = linkset_version(&purl);
    let range = |events: Vec<Event>| Range {
        ty: "ECOSYSTEM".into(),
        events,
    };
    match (status, version) {
        ("fixed" | "first_fixed", Some(v)) => {
            a.ranges = vec![range(vec![Event::introduced("0"), Event::fixed(&v)])];
        }
        ("known_affected" | "first_affected" | "last_affected", Some(v)) => a.versions = vec![v],
        ("known_affected" | "first_affected" | "last_affected", None) => {
            a.ranges = vec![range(vec![Event::introduced("0")])];
        }
        _ => {}
    }
    a
}

/// Whether `value` is a Red Hat tombstone: a document that is only `tracking` with status
/// `deleted` (not a CSAF document by the schema, but the withdrawal of one).
pub fn is_tombstone(value: &Value) -> bool {
    let doc = &value["document"];
    doc.get("csaf_version").is_none()
        && text(doc, "/tracking/status").as_deref() == Some("deleted")
        && text(doc, "/tracking/id").is_some()
}

/// The record of one CSAF document, parsed as `value` from `bytes`.
pub fn records(value: Value, bytes: &[u8]) -> Result<Vec<Record>, String> {
    let canonical = canonical_json(&value);
    let Some(id) = text(&value, "/document/tracking/id").filter(|i| !i.trim().is_empty()) else {
        return Err("invalid CSAF document: no document.tracking.id".into());
    };
    let tracking = |k: &str| text(&value, &format!("/document/tracking/{k}"));
    let time = |k: &str| tracking(k).as_deref().and_then(parse_time).map(ts);
    let deleted = tracking("status").as_deref() == Some("deleted");
    let products = value.get("product_tree").map(products).unwrap_or_default();
    let groups = groups(&value["product_tree"]);
    let mut aliases: Vec<String> = Vec::new();
    let mut severities: Vec<Severity> = Vec::new();
    let mut cwes: Vec<String> = Vec::new();
    let mut references: Vec<String> = list(&value["document"], "references")
        .filter_map(|r| text(r, "/url"))
        .collect();
    let mut affected: Vec<Affected> = Vec::new();
    let mut seen: HashSet<Affected> = HashSet::new();
    let push_unique = |v: &mut Vec<String>, s: String| {
        if !v.contains(&s) {
            v.push(s);
        }
    };
    for vuln in list(&value, "vulnerabilities") {
        if let Some(cve) = text(vuln, "/cve") {
            push_unique(&mut aliases, cve);
        }
        for i in list(vuln, "ids") {
            if let Some(t) = text(i, "/text").filter(|t| *t != id) {
                push_unique(&mut aliases, t);
            }
        }
        if let Some(cwe) = text(vuln, "/cwe/id") {
            push_unique(&mut cwes, cwe);
        }
        for r in list(vuln, "references") {
            if let Some(url) = text(r, "/url") {
                push_unique(&mut references, url);
            }
        }
        for score in list(vuln, "scores") {
            for (key, system) in [("cvss_v3", "CVSS_V3"), ("cvss_v2", "CVSS_V2")] {
                let Some(cvss) = score.get(key) else { continue };
                let Some(vector) = text(cvss, "/vectorString") else {
                    continue;
                };
                let s = Severity {
                    system: system.into(),
                    vector,
                    score: cvss.get("baseScore").and_then(Value::as_f64),
                };
                if !severities.contains(&s) {
                    severities.push(s);
                }
            }
        }
        // The remediations of each product id.
        let mut remediations: HashMap<&str, Vec<Remediation>> = HashMap::new();
        for r in list(vuln, "remediations") {
            let remediation = Remediation {
                category: text(r, "/category").unwrap_or_default(),
                details: text(r, "/details"),
                url: text(r, "/url"),
            };
            // Named directly, or through a product group of the product tree.
            for p in product_ids(r, &groups) {
                let listed = remediations.entry(p).or_default();
                if !listed.contains(&remediation) {
                    listed.push(remediation.clone());
                }
            }
        }
        let Some(Value::Object(statuses)) = vuln.get("product_status") else {
            continue;
        };
        for (status, ids) in statuses {
            for pid in ids
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let product = products.get(pid).cloned().unwrap_or_default();
                let rem = remediations.get(pid).cloned().unwrap_or_default();
                let a = linkset(status, &product, rem);
                if seen.insert(a.clone()) {
                    affected.push(a);
                }
            }
        }
    }
    let note = |category: &str| {
        list(&value["document"], "notes")
            .find(|n| n.get("category").and_then(Value::as_str) == Some(category))
            .and_then(|n| text(n, "/text"))
    };
    Ok(vec![Record {
        advisory_id: id,
        canonical,
        raw: bytes.to_vec(),
        format: "csaf-2.0",
        observation: Observation {
            aliases,
            upstream: Vec::new(),
            summary: text(&value, "/document/title"),
            details: note("summary").or_else(|| note("description")),
            severities,
            database_severity: text(&value, "/document/aggregate_severity/text"),
            references,
            cwes,
            published: time("initial_release_date"),
            modified: time("current_release_date"),
            withdrawn: deleted
                .then(|| time("current_release_date").unwrap_or_else(|| ts(Utc::now()))),
        },
        affected,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statuses_become_linksets_with_their_remediations() {
        let doc = json!({
            "document": {"tracking": {"id": "X-1", "status": "final"}},
            "product_tree": {
                "full_product_names": [
                    {"name": "a 1.0.0", "product_id": "P1",
                     "product_identification_helper": {"purl": "pkg:npm/a@1.0.0"}},
                    {"name": "b 2.0.0", "product_id": "P2",
                     "product_identification_helper": {"purl": "pkg:npm/b@2.0.0"}}
                ],
                "product_groups": [{"group_id": "G1", "product_ids": ["P1"]}]
            },
            "vulnerabilities": [{
                "cve": "CVE-2024-1",
                "product_status": {"fixed": ["P1"], "known_not_affected": ["P2"]},
                "remediations": [{"category": "vendor_fix", "details": "update", "group_ids": ["G1"]}]
            }]
        });
        let bytes = serde_json::to_vec(&doc).unwrap();
        let records = records(doc, &bytes).unwrap();
        let r = &records[0];
        assert_eq!(r.advisory_id, "X-1");
        assert_eq!(r.observation.aliases, ["CVE-2024-1"]);
        assert_eq!(r.observation.withdrawn, None);
        let fixed = &r.affected[0];
        assert_eq!(fixed.status.as_deref(), Some("fixed"));
        assert_eq!(fixed.ecosystem.as_deref(), Some("npm"));
        assert_eq!(
            fixed.ranges,
            [Range {
                ty: "ECOSYSTEM".into(),
                events: vec![Event::introduced("0"), Event::fixed("1.0.0")]
            }]
        );
        // The remediation names the product through its group.
        assert_eq!(fixed.remediations.len(), 1);
        assert_eq!(fixed.remediations[0].category, "vendor_fix");
        let not_affected = &r.affected[1];
        assert_eq!(not_affected.status.as_deref(), Some("known_not_affected"));
        assert!(not_affected.ranges.is_empty() && not_affected.versions.is_empty());
        assert!(not_affected.remediations.is_empty());
    }
}
