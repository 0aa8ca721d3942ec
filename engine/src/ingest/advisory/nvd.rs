//! NVD CVE API 2.0 (<https://nvd.nist.gov/developers/vulnerabilities>): a response page
//! (`{"vulnerabilities": [{"cve": {...}}, ...]}`) gives one record per CVE; a bare
//! `{"cve": {...}}` item is one record. CPE configurations are kept as CPE linksets, with their
//! version bounds as NVD states them. A CVE whose status is `Rejected` is withdrawn.

use serde::Deserialize;
use serde_json::Value;

use super::{Affected, CpeMatch, Observation, Record, Severity, raw_json};
use crate::ingest::{canonical_json, parse_time, ts};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve {
    id: String,
    published: Option<String>,
    last_modified: Option<String>,
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangString>,
    #[serde(default)]
    metrics: Metrics,
    #[serde(default)]
    weaknesses: Vec<Weakness>,
    #[serde(default)]
    configurations: Vec<Configuration>,
    #[serde(default)]
    references: Vec<Reference>,
}

#[derive(Deserialize)]
struct LangString {
    lang: Option<String>,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metrics {
    #[serde(default)]
    cvss_metric_v40: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v31: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v30: Vec<Metric>,
    #[serde(default)]
    cvss_metric_v2: Vec<Metric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric {
    cvss_data: CvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    vector_string: String,
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Weakness {
    #[serde(default)]
    description: Vec<LangString>,
}

#[derive(Deserialize)]
struct Configuration {
    #[serde(default)]
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<NvdCpeMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCpeMatch {
    vulnerable: bool,
    criteria: String,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

#[derive(Deserialize)]
struct Reference {
    url: String,
}

fn time(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(parse_time).map(ts)
}

/// The product of a CPE 2.3 name (`cpe:2.3:part:vendor:product:version:...`), or of a CPE 2.2
/// URI (`cpe:/part:vendor:product:...`).
fn cpe_product(cpe: &str) -> Option<String> {
    let parts: Vec<&str> = if let Some(rest) = cpe.strip_prefix("cpe:2.3:") {
        rest.split(':').collect()
    } else {
        cpe.strip_prefix("cpe:/")?.split(':').collect()
    };
    parts
        .get(2)
        .filter(|p| !p.is_empty())
        .map(|p| p.to_string())
}

/// One record from one `{"cve": {...}}` item.
pub(super) fn record(item: Value, raw: Vec<u8>) -> Result<Record, String> {
    let canonical = canonical_json(&item);
    let Some(cve) = item.get("cve") else {
        return Err("an NVD vulnerability without \"cve\"".into());
    };
    let cve = Cve::deserialize(cve).map_err(|e| format!("invalid NVD CVE item: {e}"))?;
    if cve.id.trim().is_empty() {
        return Err("invalid NVD CVE item: empty id".into());
    }
    let english = cve
        .descriptions
        .iter()
        .find(|d| d.lang.as_deref() == Some("en"))
        .or(cve.descriptions.first())
        .map(|d| d.value.clone());
    let m = &cve.metrics;
    let severities = [
        ("CVSS_V4", &m.cvss_metric_v40),
        ("CVSS_V3", &m.cvss_metric_v31),
        ("CVSS_V3", &m.cvss_metric_v30),
        ("CVSS_V2", &m.cvss_metric_v2),
    ]
    .into_iter()
    .flat_map(|(system, metrics)| {
        metrics.iter().map(move |metric| Severity {
            system: system.into(),
            vector: metric.cvss_data.vector_string.clone(),
            score: metric.cvss_data.base_score,
        })
    })
    .collect();
    let mut cwes: Vec<String> = Vec::new();
    for w in &cve.weaknesses {
        for d in &w.description {
            if !cwes.contains(&d.value) {
                cwes.push(d.value.clone());
            }
        }
    }
    let mut affected = Vec::new();
    for (c, configuration) in cve.configurations.iter().enumerate() {
        for (n, node) in configuration.nodes.iter().enumerate() {
            for m in &node.cpe_match {
                affected.push(Affected {
                    package_name: cpe_product(&m.criteria),
                    cpes: vec![m.criteria.clone()],
                    cpe_matches: vec![CpeMatch {
                        configuration: c as i64,
                        node: n as i64,
                        operator: node.operator.clone(),
                        negate: node.negate,
                        criteria: m.criteria.clone(),
                        vulnerable: m.vulnerable,
                        version_start_including: m.version_start_including.clone(),
                        version_start_excluding: m.version_start_excluding.clone(),
                        version_end_including: m.version_end_including.clone(),
                        version_end_excluding: m.version_end_excluding.clone(),
                    }],
                    ..Affected::new(if m.vulnerable {
                        "vulnerable"
                    } else {
                        "not_vulnerable"
                    })
                });
            }
        }
    }
    let rejected = cve.vuln_status.as_deref() == Some("Rejected");
    Ok(Record {
        advisory_id: cve.id,
        canonical,
        raw,
        format: "nvd-cve-api-2.0",
        observation: Observation {
            aliases: Vec::new(),
            upstream: Vec::new(),
            summary: english,
            details: None,
            severities,
            database_severity: None,
            references: cve.references.into_iter().map(|r| r.url).collect(),
            cwes,
            published: time(&cve.published),
            modified: time(&cve.last_modified),
            withdrawn: if rejected {
                time(&cve.last_modified).or_else(|| time(&cve.published))
            } else {
                None
            },
        },
        affected,
    })
}

/// The records of an NVD page (or of one bare CVE item), parsed as `value` from `bytes`.
pub fn records(value: Value, bytes: &[u8]) -> Result<Vec<Record>, String> {
    if value.get("cve").is_some() {
        return Ok(vec![record(value, bytes.to_vec())?]);
    }
    let Some(Value::Array(items)) = value.get("vulnerabilities").cloned() else {
        return Err("not an NVD CVE API 2.0 page: no \"vulnerabilities\" array".into());
    };
    let raws = raw_json::array_items(bytes, Some("vulnerabilities"));
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let raw = match raws.as_ref().and_then(|r| r.get(i)) {
                Some(r) => r.to_vec(),
                None => serde_json::to_vec(&item).unwrap_or_default(),
            };
            record(item, raw).map_err(|e| format!("vulnerabilities[{i}]: {e}"))
        })
        .collect()
}
