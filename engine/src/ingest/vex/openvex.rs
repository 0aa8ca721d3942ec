//! OpenVEX (<https://github.com/openvex/spec>), v0.2.0 and the legacy v0.0.1 shapes.

use super::{Claim, DocFacts, Product, StatementRow, Target, VexStatus};
use crate::ingest::{parse_time, ts};
use serde_json::Value;

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A product or subcomponent: a plain string (v0.0.1), or an object identified by its `@id`
/// and `identifiers` (purl, cpe23, cpe22) and `hashes`. A purl is preferred, then a CPE, then
/// an image digest among the hashes, then the `@id` as written.
fn product_of(v: &Value) -> Option<Product> {
    let id = v
        .as_str()
        .map(str::to_string)
        .or_else(|| text(v.get("@id")));
    let purl = id
        .clone()
        .filter(|s| s.starts_with("pkg:"))
        .or_else(|| text(v.pointer("/identifiers/purl")));
    let cpe =
        text(v.pointer("/identifiers/cpe23")).or_else(|| text(v.pointer("/identifiers/cpe22")));
    let digest = text(v.pointer("/hashes/sha-256")).map(|h| format!("sha256:{h}"));
    let mut product = Product::parse(
        purl.or(cpe.clone())
            .or(digest.clone())
            .or(id.clone())?
            .as_str(),
    );
    if let Some(id) = id {
        product.id = id;
    }
    product.cpe = product.cpe.or(cpe);
    if product.digest.is_none() {
        product.digest = digest.filter(|d| d.len() == 71);
    }
    Some(product)
}

/// (vulnerability id, aliases) of a statement.
fn vulnerability(st: &Value) -> Option<(String, Vec<String>)> {
    match st.get("vulnerability") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some((s.trim().to_string(), Vec::new())),
        Some(v @ Value::Object(_)) => {
            let aliases: Vec<String> = v
                .get("aliases")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| text(Some(x))).collect())
                .unwrap_or_default();
            let id = text(v.get("name")).or_else(|| text(v.get("@id")))?;
            Some((id, aliases))
        }
        _ => None,
    }
}

/// Whether `doc` is an OpenVEX document.
pub fn is_openvex(doc: &Value) -> bool {
    text(doc.get("@context")).is_some_and(|c| c.contains("openvex"))
}

/// The statements of one OpenVEX document, one row per (product, subcomponent).
pub fn parse(
    doc: &Value,
    tenant: &str,
    digest: &str,
    source_path: &str,
    now: &str,
) -> Result<Vec<StatementRow>, String> {
    let statements = doc
        .get("statements")
        .and_then(Value::as_array)
        .ok_or("OpenVEX document without a \"statements\" array")?;
    let facts = DocFacts {
        tenant,
        digest,
        source_path,
        now,
        format: "openvex",
        issuer: text(doc.get("author")).or_else(|| text(doc.get("supplier"))),
        document_id: text(doc.get("@id")),
    };
    let doc_time = text(doc.get("timestamp"));
    let mut rows = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        let (vulnerability_id, aliases) =
            vulnerability(st).ok_or_else(|| format!("statement {i}: no vulnerability"))?;
        let status: VexStatus = text(st.get("status"))
            .ok_or_else(|| format!("statement {i}: no status"))?
            .parse()
            .map_err(|e| format!("statement {i}: {e}"))?;
        let claim = Claim {
            vulnerability_id,
            aliases,
            status,
            justification: text(st.get("justification")),
            impact_statement: text(st.get("impact_statement")),
            action_statement: text(st.get("action_statement")),
            // A statement's own time, else its last update, else the document's.
            timestamp: text(st.get("timestamp"))
                .or_else(|| text(st.get("last_updated")))
                .or_else(|| doc_time.clone())
                .and_then(|t| parse_time(&t))
                .map(ts),
            raw: serde_json::to_string(st).unwrap_or_default(),
        };
        // A statement without products (legacy documents have them) is kept, with no
        // product, so that nothing is dropped; it matches no component.
        let products: Vec<(Option<Product>, Vec<Option<Product>>)> = {
            // v0.0.1 puts subcomponents beside the products; v0.2.0 nests them in each product.
            let legacy_subs: Vec<Option<Product>> = st
                .get("subcomponents")
                .and_then(Value::as_array)
                .map(|s| s.iter().map(product_of).collect())
                .unwrap_or_default();
            let listed: Vec<&Value> = st
                .get("products")
                .and_then(Value::as_array)
                .map(|p| p.iter().collect())
                .unwrap_or_default();
            if listed.is_empty() {
                vec![(None, legacy_subs)]
            } else {
                listed
                    .into_iter()
                    .map(|p| {
                        let mut subs: Vec<Option<Product>> = p
                            .get("subcomponents")
                            .and_then(Value::as_array)
                            .map(|s| s.iter().map(product_of).collect())
                            .unwrap_or_default();
                        subs.extend(legacy_subs.iter().cloned());
                        (product_of(p), subs)
                    })
                    .collect()
            }
        };
        for (product, subs) in &products {
            let subs: Vec<Option<&Product>> = if subs.is_empty() {
                vec![None]
            } else {
                subs.iter().map(Option::as_ref).collect()
            };
            for sub in subs {
                let target = Target {
                    product: product.as_ref(),
                    subcomponent: sub,
                    ..Target::default()
                };
                let index = i.to_string();
                let id_parts = [
                    index.as_str(),
                    product.as_ref().map_or("", |p| p.id.as_str()),
                    sub.map_or("", |p| p.id.as_str()),
                ];
                rows.push(facts.row(&claim, &target, &id_parts));
            }
        }
    }
    Ok(rows)
}
