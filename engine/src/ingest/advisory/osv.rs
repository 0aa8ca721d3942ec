//! OSV JSON (<https://ossf.github.io/osv-schema/>): one record, an array of records, or an
//! osv.dev `{"vulns": [...]}` dump.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vexlake_udfs::kernels::purl::Purl;

use super::Record;
use crate::ingest::{canonical_json, parse_json_or_yaml, parse_time, ts};

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    aliases: Option<Vec<String>>,
    summary: Option<String>,
    severity: Option<Vec<OsvSeverity>>,
    affected: Option<Vec<OsvAffected>>,
    references: Option<Vec<OsvReference>>,
    database_specific: Option<Value>,
}

#[derive(Deserialize, Serialize, Clone, Debug)]
pub struct OsvSeverity {
    #[serde(rename = "type")]
    pub ty: String,
    pub score: String,
}

#[derive(Deserialize)]
struct OsvReference {
    url: Option<String>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: Option<String>,
    name: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct OsvAffected {
    package: Option<OsvPackage>,
    ranges: Option<Vec<OsvRange>>,
    versions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    ty: String,
    events: Option<Vec<Map<String, Value>>>,
}

/// The normalized fields of `advisory_observations`.
#[derive(Serialize, Debug)]
pub struct Observation {
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severities: Vec<OsvSeverity>,
    pub database_severity: Option<String>,
    pub references: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct Event {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct Range {
    #[serde(rename = "type")]
    pub ty: String,
    pub events: Vec<Event>,
}

/// One `advisory_affected` row.
#[derive(Serialize, Debug)]
pub struct Affected {
    pub ecosystem: Option<String>,
    pub package_name: Option<String>,
    pub package_key: Option<String>,
    pub purl: Option<String>,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
    pub cpes: Vec<String>,
}

fn time(s: &Option<String>) -> Option<String> {
    s.as_deref().and_then(parse_time).map(ts)
}

fn event(map: &Map<String, Value>) -> Event {
    let get = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    Event {
        introduced: get("introduced"),
        fixed: get("fixed"),
        last_affected: get("last_affected"),
        limit: get("limit"),
    }
}

fn record(value: Value, raw: Vec<u8>) -> Result<Record, String> {
    let canonical = canonical_json(&value);
    let r: OsvRecord =
        serde_json::from_value(value).map_err(|e| format!("invalid OSV record: {e}"))?;
    if r.id.trim().is_empty() {
        return Err("invalid OSV record: empty id".into());
    }
    let affected = r
        .affected
        .unwrap_or_default()
        .into_iter()
        .map(|a| {
            let (ecosystem, name, purl) = match a.package {
                Some(p) => (p.ecosystem, p.name, p.purl),
                None => (None, None, None),
            };
            let package_key = match (&ecosystem, &name) {
                (Some(e), Some(n)) => Purl::from_osv(e, n).map(|p| p.package_key()),
                _ => None,
            }
            .or_else(|| {
                purl.as_deref()
                    .and_then(Purl::parse)
                    .map(|p| p.package_key())
            });
            Affected {
                ecosystem,
                package_name: name,
                package_key,
                purl,
                ranges: a
                    .ranges
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| Range {
                        ty: r.ty,
                        events: r.events.unwrap_or_default().iter().map(event).collect(),
                    })
                    .collect(),
                versions: a.versions.unwrap_or_default(),
                cpes: Vec::new(),
            }
        })
        .collect();
    let database_severity = r
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Record {
        advisory_id: r.id,
        canonical,
        raw,
        observation: Observation {
            aliases: r.aliases.unwrap_or_default(),
            summary: r.summary,
            severities: r.severity.unwrap_or_default(),
            database_severity,
            references: r
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| r.url)
                .collect(),
            published: time(&r.published),
            modified: time(&r.modified),
            withdrawn: time(&r.withdrawn),
        },
        affected,
    })
}

/// The records of one OSV document.
pub fn parse_document(bytes: &[u8]) -> Result<Vec<Record>, String> {
    let value = parse_json_or_yaml(bytes)?;
    let list = match value {
        Value::Object(ref m) if m.contains_key("id") => {
            return Ok(vec![record(value, bytes.to_vec())?]);
        }
        Value::Object(mut m) if m.get("vulns").is_some_and(Value::is_array) => {
            match m.remove("vulns") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        Value::Array(items) => items,
        _ => return Err("not an OSV record: no \"id\" field".into()),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let raw = serde_json::to_vec(&v).unwrap_or_default();
            record(v, raw).map_err(|e| format!("record {i}: {e}"))
        })
        .collect()
}
