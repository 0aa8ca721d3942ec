//! CycloneDX VEX (<https://cyclonedx.org/capabilities/vex/>): the `vulnerabilities[]` of a
//! CycloneDX 1.4–1.6 BOM that carry an `analysis`, standalone or embedded in an SBOM. One
//! statement per (vulnerability, `affects[]` entry, version entry).
//!
//! - **Products**: `affects[].ref` is a bom-ref of this BOM (resolved to that component's purl,
//!   CPE or hashes), a BOM-Link into another BOM (`urn:cdx:<serial>/<version>#<bom-ref>`, kept
//!   as written, and resolved to a purl when the bom-ref is one), or a purl. Without `affects`
//!   the statement has no product and matches nothing, but it is kept.
//! - **Versions**: `affects[].versions[]` gives a version or a `vers:` range with its own
//!   status (`affected`, `unaffected`, `unknown`), which overrides the analysis state for it.
//! - **States** map to VEX statuses: `exploitable` → affected; `not_affected` and
//!   `false_positive` → not_affected; `resolved` and `resolved_with_pedigree` → fixed;
//!   `in_triage` → under_investigation.
//! - **Justifications** map to OpenVEX's vocabulary (CycloneDX has nine, OpenVEX five):
//!   `code_not_present` → vulnerable_code_not_present; `code_not_reachable` →
//!   vulnerable_code_not_in_execute_path; `requires_dependency` → component_not_present;
//!   `requires_configuration`, `requires_environment`, `protected_at_perimeter` →
//!   vulnerable_code_cannot_be_controlled_by_adversary; `protected_by_compiler`,
//!   `protected_at_runtime`, `protected_by_mitigating_control` →
//!   inline_mitigations_already_exist. The original stays in the raw statement.
//! - **Issuer**: the BOM's `metadata.manufacturer`, `supplier` (or 1.4's misspelt
//!   `manufacture`), the described component's supplier or publisher, else the first author.

use std::collections::HashMap;

use serde_json::Value;

use super::{Claim, DocFacts, Product, StatementRow, Target, VexStatus};
use crate::ingest::{parse_time, ts};

/// Whether `doc` is a CycloneDX BOM.
pub fn is_cyclonedx(doc: &Value) -> bool {
    doc.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX")
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn state(s: &str) -> Option<VexStatus> {
    Some(match s {
        "exploitable" => VexStatus::Affected,
        "not_affected" | "false_positive" => VexStatus::NotAffected,
        "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
        "in_triage" => VexStatus::UnderInvestigation,
        _ => return None,
    })
}

/// OpenVEX's justification for a CycloneDX one.
pub fn justification(s: &str) -> Option<&'static str> {
    Some(match s {
        "code_not_present" => "vulnerable_code_not_present",
        "code_not_reachable" => "vulnerable_code_not_in_execute_path",
        "requires_dependency" => "component_not_present",
        "requires_configuration" | "requires_environment" | "protected_at_perimeter" => {
            "vulnerable_code_cannot_be_controlled_by_adversary"
        }
        "protected_by_compiler" | "protected_at_runtime" | "protected_by_mitigating_control" => {
            "inline_mitigations_already_exist"
        }
        _ => return None,
    })
}

/// Every component of the BOM (nested ones too, and the described one) by bom-ref.
fn components(doc: &Value) -> HashMap<String, &Value> {
    fn walk<'a>(list: Option<&'a Value>, out: &mut HashMap<String, &'a Value>) {
        for c in list.and_then(Value::as_array).into_iter().flatten() {
            if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
                out.insert(r.to_string(), c);
            }
            walk(c.get("components"), out);
        }
    }
    let mut out = HashMap::new();
    if let Some(c) = doc.pointer("/metadata/component") {
        if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
            out.insert(r.to_string(), c);
        }
        walk(c.get("components"), &mut out);
    }
    walk(doc.get("components"), &mut out);
    out
}

/// The product a component stands for: its purl, else its CPE, else its sha-256 hash, else its
/// bom-ref as written.
fn component_product(c: &Value, reference: &str) -> Product {
    let sha256 = c
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|h| h.get("alg").and_then(Value::as_str) == Some("SHA-256"))
        .and_then(|h| text(h, "/content"))
        .map(|h| format!("sha256:{}", h.to_ascii_lowercase()));
    let chosen = text(c, "/purl")
        .or_else(|| text(c, "/cpe"))
        .or(sha256)
        .unwrap_or_else(|| reference.to_string());
    Product::parse(&chosen)
}

/// The product `reference` names: a bom-ref of this BOM, a BOM-Link, or an identifier.
fn product(reference: &str, components: &HashMap<String, &Value>) -> Product {
    if let Some(c) = components.get(reference) {
        return component_product(c, reference);
    }
    if let Some(fragment) = reference
        .strip_prefix("urn:cdx:")
        .and_then(|r| r.split_once('#'))
        .map(|(_, f)| f)
    {
        // A BOM-Link: the identifier stays as written; a purl bom-ref gives the package.
        let mut p = Product::parse(fragment);
        p.id = reference.to_string();
        return p;
    }
    Product::parse(reference)
}

/// The statements of one CycloneDX BOM.
pub fn parse(
    doc: &Value,
    tenant: &str,
    digest: &str,
    source_path: &str,
    now: &str,
) -> Result<Vec<StatementRow>, String> {
    let vulns: Vec<&Value> = doc
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if !vulns.iter().any(|v| v.get("analysis").is_some()) {
        return Err(format!(
            "CycloneDX {} BOM without VEX: none of its {} vulnerabilities has an \"analysis\"",
            text(doc, "/specVersion").unwrap_or_else(|| "?".into()),
            vulns.len()
        ));
    }
    let issuer = ["/metadata/manufacturer/name", "/metadata/supplier/name"]
        .iter()
        .chain(&[
            "/metadata/manufacture/name",
            "/metadata/component/supplier/name",
            "/metadata/component/publisher",
            "/metadata/authors/0/name",
        ])
        .find_map(|p| text(doc, p));
    let document_id = text(doc, "/serialNumber").map(|s| match doc.get("version") {
        Some(Value::Number(n)) => format!("{s}/{n}"),
        _ => s,
    });
    let facts = DocFacts {
        tenant,
        digest,
        source_path,
        now,
        format: "cyclonedx",
        issuer,
        document_id,
    };
    let doc_time = text(doc, "/metadata/timestamp");
    let components = components(doc);
    let mut rows = Vec::new();
    for (i, v) in vulns.iter().enumerate() {
        let Some(analysis) = v.get("analysis") else {
            continue;
        };
        let id = text(v, "/id").ok_or_else(|| format!("vulnerabilities[{i}]: no id"))?;
        let state_text = text(analysis, "/state");
        let status = match state_text.as_deref() {
            Some(s) => state(s).ok_or_else(|| {
                format!(
                    "vulnerabilities[{i}] ({id}): unknown analysis state {s:?} (expected resolved, \
                     resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected)"
                )
            })?,
            // An analysis with a justification but no state (the 1.5 spec tests have these)
            // speaks for not_affected; one with neither says nothing yet.
            None if analysis.get("justification").is_some() => VexStatus::NotAffected,
            None => VexStatus::UnderInvestigation,
        };
        let cdx_justification = text(analysis, "/justification");
        let responses: Vec<String> = analysis
            .get("response")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect();
        let action = [
            (!responses.is_empty()).then(|| format!("response: {}", responses.join(", "))),
            text(v, "/recommendation"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n\n");
        let claim = Claim {
            vulnerability_id: id.clone(),
            aliases: v
                .get("references")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| text(r, "/id"))
                .filter(|r| r != &id)
                .collect(),
            status,
            justification: cdx_justification
                .as_deref()
                .map(|j| justification(j).map_or_else(|| j.to_string(), str::to_string)),
            impact_statement: text(analysis, "/detail"),
            action_statement: Some(action).filter(|a| !a.is_empty()),
            timestamp: text(analysis, "/lastUpdated")
                .or_else(|| text(v, "/updated"))
                .or_else(|| text(v, "/published"))
                .or_else(|| doc_time.clone())
                .and_then(|t| parse_time(&t))
                .map(ts),
            raw: serde_json::to_string(v).unwrap_or_default(),
        };
        let affects: Vec<&Value> = v
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        if affects.is_empty() {
            rows.push(facts.row(&claim, &Target::default(), &[&i.to_string()]));
            continue;
        }
        for (j, a) in affects.iter().enumerate() {
            let reference = text(a, "/ref")
                .ok_or_else(|| format!("vulnerabilities[{i}].affects[{j}]: no ref"))?;
            let product = product(&reference, &components);
            let versions: Vec<&Value> = a
                .get("versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            if versions.is_empty() {
                let target = Target {
                    product: Some(&product),
                    ..Target::default()
                };
                rows.push(facts.row(&claim, &target, &[&i.to_string(), &reference]));
                continue;
            }
            for (k, ver) in versions.iter().enumerate() {
                let mut claim = claim.clone();
                claim.status = match text(ver, "/status").as_deref() {
                    Some("unaffected") if status == VexStatus::Fixed => VexStatus::Fixed,
                    Some("unaffected") => VexStatus::NotAffected,
                    Some("affected") => VexStatus::Affected,
                    Some("unknown") => VexStatus::UnderInvestigation,
                    Some(other) => {
                        return Err(format!(
                            "vulnerabilities[{i}].affects[{j}].versions[{k}]: unknown status {other:?} \
                             (expected affected, unaffected or unknown)"
                        ));
                    }
                    None => status,
                };
                let target = Target {
                    product: Some(&product),
                    subcomponent: None,
                    version: text(ver, "/version"),
                    range: text(ver, "/range"),
                };
                rows.push(facts.row(
                    &claim,
                    &target,
                    &[&i.to_string(), &reference, &k.to_string()],
                ));
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cyclonedx_justification_maps_to_openvex() {
        for j in [
            "code_not_present",
            "code_not_reachable",
            "requires_configuration",
            "requires_dependency",
            "requires_environment",
            "protected_by_compiler",
            "protected_at_runtime",
            "protected_at_perimeter",
            "protected_by_mitigating_control",
        ] {
            assert!(justification(j).is_some(), "{j}");
        }
        assert_eq!(justification("made_up"), None);
    }
}
