//! OpenVEX (<https://github.com/openvex/spec>), v0.2.0 and the legacy v0.0.1 shapes.

use serde_json::Value;
use vexlake_udfs::kernels::purl::Purl;

use super::{StatementRow, VexStatus, statement_id};
use crate::ingest::{parse_json, parse_time, ts};

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The purl of a product or subcomponent: a plain string (v0.0.1), or an object whose `@id`
/// is a purl or whose `identifiers.purl` names one.
fn purl_of(v: &Value) -> Option<String> {
    let candidates = [
        v.as_str().map(str::to_string),
        text(v.get("@id")),
        text(v.pointer("/identifiers/purl")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|s| s.starts_with("pkg:"))
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

/// The statements of one OpenVEX document, one row per (product, subcomponent).
pub fn parse(
    bytes: &[u8],
    tenant: &str,
    digest: &str,
    source_path: &str,
    now: &str,
) -> Result<Vec<StatementRow>, String> {
    let doc = parse_json(bytes)?;
    let context = text(doc.get("@context")).unwrap_or_default();
    if !context.contains("openvex") {
        return Err(
            "not an OpenVEX document (no openvex @context) nor a CSAF one; CycloneDX VEX is not supported yet"
                .into(),
        );
    }
    let statements = doc
        .get("statements")
        .and_then(Value::as_array)
        .ok_or("OpenVEX document without a \"statements\" array")?;
    let issuer = text(doc.get("author")).or_else(|| text(doc.get("supplier")));
    let document_id = text(doc.get("@id"));
    let doc_time = text(doc.get("timestamp"));
    let mut rows = Vec::new();
    for (i, st) in statements.iter().enumerate() {
        let (vulnerability_id, aliases) =
            vulnerability(st).ok_or_else(|| format!("statement {i}: no vulnerability"))?;
        let status: VexStatus = text(st.get("status"))
            .ok_or_else(|| format!("statement {i}: no status"))?
            .parse()
            .map_err(|e| format!("statement {i}: {e}"))?;
        let timestamp = text(st.get("timestamp"))
            .or_else(|| text(st.get("last_updated")))
            .or_else(|| doc_time.clone())
            .and_then(|t| parse_time(&t))
            .map(ts);
        // A statement without products (legacy documents have them) is kept, with no
        // product, so that nothing is dropped; it matches no component.
        let null = Value::Null;
        let mut products: Vec<&Value> = st
            .get("products")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        if products.is_empty() {
            products.push(&null);
        }
        // v0.0.1 puts subcomponents beside the products; v0.2.0 nests them in each product.
        let legacy_subs: Vec<Option<String>> = st
            .get("subcomponents")
            .and_then(Value::as_array)
            .map(|s| s.iter().map(purl_of).collect())
            .unwrap_or_default();
        let raw = serde_json::to_string(st).unwrap_or_default();
        for product in products {
            let product_purl = purl_of(product);
            let mut subs: Vec<Option<String>> = product
                .get("subcomponents")
                .and_then(Value::as_array)
                .map(|s| s.iter().map(purl_of).collect())
                .unwrap_or_default();
            subs.extend(legacy_subs.iter().cloned());
            if subs.is_empty() {
                subs.push(None);
            }
            for sub in subs {
                let product = product_purl.as_deref().and_then(Purl::parse);
                let subcomponent = sub.as_deref().and_then(Purl::parse);
                let target_version = subcomponent
                    .as_ref()
                    .or(product.as_ref())
                    .and_then(|p| p.version.clone());
                rows.push(StatementRow {
                    tenant: tenant.to_string(),
                    statement_id: statement_id(&[
                        digest,
                        &i.to_string(),
                        product_purl.as_deref().unwrap_or(""),
                        sub.as_deref().unwrap_or(""),
                    ]),
                    issuer: issuer.clone(),
                    format: "openvex",
                    document_digest: digest.to_string(),
                    document_id: document_id.clone(),
                    vulnerability_id: vulnerability_id.clone(),
                    aliases: aliases.clone(),
                    product_purl: product_purl.clone(),
                    product_key: product.as_ref().map(Purl::package_key),
                    subcomponent_purl: sub.clone(),
                    subcomponent_key: subcomponent.as_ref().map(Purl::package_key),
                    target_version,
                    status: status.to_string(),
                    justification: text(st.get("justification")),
                    impact_statement: text(st.get("impact_statement")),
                    action_statement: text(st.get("action_statement")),
                    statement_timestamp: timestamp.clone(),
                    signature_state: "unsigned",
                    raw: raw.clone(),
                    source_path: source_path.to_string(),
                    ingested_at: now.to_string(),
                });
            }
        }
    }
    Ok(rows)
}
