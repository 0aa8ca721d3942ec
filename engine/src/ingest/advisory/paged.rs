//! Large pages read record by record: an NVD response page or an OSV dump (`{"vulns": [...]}`, a
//! JSON array of records) above [`BY_RECORD_ABOVE`] bytes is never parsed whole. Its syntax is
//! checked without building a tree, its envelope (an NVD page's counts and timestamp) is read
//! and checked alone, and each record is cut out as received and checked against its schema;
//! then the records are normalized one at a time as ingestion takes them (and lands them in
//! rounds), so memory follows the page's bytes and one round, not the page's parsed tree.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

use super::{Record, Source, nvd, osv, raw_json, schemas};

/// Pages larger than this many bytes are read record by record.
pub const BY_RECORD_ABOVE: usize = 8 << 20;

/// What a page's top level holds, read without keeping its records.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Top {
    document: Option<IgnoredAny>,
    id: Option<IgnoredAny>,
    vulns: Option<IgnoredAny>,
    vulnerabilities: Option<IgnoredAny>,
    results_per_page: Option<Value>,
    start_index: Option<Value>,
    total_results: Option<Value>,
    format: Option<Value>,
    version: Option<Value>,
    timestamp: Option<Value>,
}

/// The records of `bytes` when it is a page larger than `above` bytes; `None` for anything else
/// (read whole, as usual).
pub fn parse(
    bytes: &[u8],
    forced: Option<Source>,
    above: usize,
) -> Option<Result<(Source, Items<'_>), String>> {
    if bytes.len() <= above {
        return None;
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if !matches!(first, b'{' | b'[') {
        return None;
    }
    if let Err(e) = serde_json::from_slice::<IgnoredAny>(bytes) {
        return Some(Err(format!("not valid JSON: {e}")));
    }
    let (source, key) = if *first == b'[' {
        (Source::Osv, None)
    } else {
        let top: Top = serde_json::from_slice(bytes).ok()?;
        if top.document.is_some() || top.id.is_some() {
            return None;
        }
        if top.vulnerabilities.is_some() {
            let envelope: Map<String, Value> = [
                ("resultsPerPage", top.results_per_page),
                ("startIndex", top.start_index),
                ("totalResults", top.total_results),
                ("format", top.format),
                ("version", top.version),
                ("timestamp", top.timestamp),
            ]
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .chain([("vulnerabilities".to_string(), Value::Array(Vec::new()))])
            .collect();
            let envelope = Value::Object(envelope);
            if let Err(e) = schemas::check(schemas::shape(Source::Nvd, &envelope), &envelope) {
                return Some(Err(e));
            }
            (Source::Nvd, Some("vulnerabilities"))
        } else if top.vulns.is_some() {
            (Source::Osv, Some("vulns"))
        } else {
            return None;
        }
    };
    // A forced format other than the one the page has is read whole (and reported there).
    if forced.is_some_and(|f| f != source) {
        return None;
    }
    let items = raw_json::array_items(bytes, key)?;
    // Every record is checked before any lands: a page with a broken record is rejected whole.
    for (i, item) in items.iter().enumerate() {
        let checked = serde_json::from_slice::<Value>(item)
            .map_err(|e| format!("not valid JSON: {e}"))
            .and_then(|v| schemas::check(schemas::shape(source, &v), &v));
        if let Err(e) = checked {
            return Some(Err(place(key, i, e)));
        }
    }
    Some(Ok((
        source,
        Items {
            source,
            key,
            items,
            next: 0,
        },
    )))
}

fn place(key: Option<&str>, i: usize, e: String) -> String {
    match key {
        Some(k) => format!("{k}[{i}]: {e}"),
        None => format!("record {i}: {e}"),
    }
}

/// The records of a checked page, normalized one at a time as they are taken.
pub struct Items<'a> {
    source: Source,
    key: Option<&'static str>,
    items: Vec<&'a [u8]>,
    next: usize,
}

impl Iterator for Items<'_> {
    type Item = Result<Record, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.next;
        let item = *self.items.get(i)?;
        self.next += 1;
        let record = serde_json::from_slice::<Value>(item)
            .map_err(|e| format!("not valid JSON: {e}"))
            .and_then(|value| match self.source {
                Source::Nvd => nvd::record(value, item.to_vec()),
                _ => osv::record(value, item.to_vec(), "osv-json"),
            });
        Some(record.map_err(|e| place(self.key, i, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::advisory::parse_document;

    /// Read record by record or whole, a page gives the same records.
    #[test]
    fn by_record_and_whole_agree_on_real_pages() {
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        let mut osv_page = String::from("{\"vulns\": [");
        for (i, id) in ["GO-2024-2687", "GO-2022-1144"].iter().enumerate() {
            if i > 0 {
                osv_page.push(',');
            }
            let path = corpus.join(format!("osv/go-vulndb/osv/{id}.json"));
            osv_page.push_str(&std::fs::read_to_string(path).unwrap());
        }
        osv_page.push_str("]}");
        let nvd_page = std::fs::read(corpus.join("nvd/api-2.0-responses/vunnel-full-page.json"))
            .expect("the team's corpus beside the checkout");
        for (bytes, n) in [(nvd_page, 38), (osv_page.into_bytes(), 2)] {
            let (source, by_record) = parse(&bytes, None, 0).expect("a page").unwrap();
            let by_record: Vec<Record> = by_record.map(Result::unwrap).collect();
            let (whole_source, whole) = parse_document(&bytes, None).unwrap();
            let whole: Vec<Record> = whole.map(Result::unwrap).collect();
            assert_eq!(source, whole_source);
            assert_eq!(by_record.len(), n);
            assert_eq!(by_record.len(), whole.len());
            for (a, b) in by_record.iter().zip(&whole) {
                assert_eq!(a.advisory_id, b.advisory_id);
                assert_eq!(a.canonical, b.canonical);
                assert_eq!(a.raw, b.raw);
                assert_eq!(a.format, b.format);
                assert_eq!(a.affected, b.affected);
                assert_eq!(
                    serde_json::to_string(&a.observation).unwrap(),
                    serde_json::to_string(&b.observation).unwrap()
                );
            }
        }
        // A broken record rejects the page, naming its place; broken syntax, the document.
        let broken =
            br#"{"vulns": [{"id": "GO-2024-1", "modified": "2024-01-01T00:00:00Z"}, {"id": 5}]}"#;
        let err = parse(broken, None, 0).unwrap().err().unwrap();
        assert!(
            err.starts_with("vulns[1]: does not follow the OSV schema"),
            "{err}"
        );
        let err = parse(br#"{"vulns": [}"#, None, 0).unwrap().err().unwrap();
        assert!(err.starts_with("not valid JSON"), "{err}");
        // Not a page: read whole.
        assert!(parse(br#"{"id": "GO-2024-1"}"#, None, 0).is_none());
        assert!(parse(br#"{"document": {}, "vulnerabilities": []}"#, None, 0).is_none());
    }
}
