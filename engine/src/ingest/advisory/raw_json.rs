//! The bytes of each element of a JSON array exactly as a document holds them, so that a record
//! that arrives inside a page (NVD's `vulnerabilities`, an osv.dev `vulns` dump, an array of
//! OSV records) is kept in `advisory_raw` as received, not as re-serialized.

/// The raw bytes of each element of a JSON array: the document itself when `key` is `None`, or
/// the value of one of the document's top-level keys. `doc` must already have parsed as JSON;
/// `None` when the array is not there.
pub fn array_items<'a>(doc: &'a [u8], key: Option<&str>) -> Option<Vec<&'a [u8]>> {
    let mut at = skip_ws(doc, 0);
    if let Some(key) = key {
        if doc.get(at) != Some(&b'{') {
            return None;
        }
        at = skip_ws(doc, at + 1);
        loop {
            if doc.get(at) != Some(&b'"') {
                return None;
            }
            let name_end = skip_value(doc, at)?;
            let name = &doc[at + 1..name_end - 1];
            at = skip_ws(doc, name_end);
            if doc.get(at) != Some(&b':') {
                return None;
            }
            at = skip_ws(doc, at + 1);
            if name == key.as_bytes() {
                break;
            }
            at = skip_ws(doc, skip_value(doc, at)?);
            match doc.get(at) {
                Some(b',') => at = skip_ws(doc, at + 1),
                _ => return None,
            }
        }
    }
    if doc.get(at) != Some(&b'[') {
        return None;
    }
    at = skip_ws(doc, at + 1);
    let mut items = Vec::new();
    if doc.get(at) == Some(&b']') {
        return Some(items);
    }
    loop {
        let end = skip_value(doc, at)?;
        items.push(&doc[at..end]);
        at = skip_ws(doc, end);
        match doc.get(at) {
            Some(b',') => at = skip_ws(doc, at + 1),
            Some(b']') => return Some(items),
            _ => return None,
        }
    }
}

fn skip_ws(doc: &[u8], mut at: usize) -> usize {
    while doc.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// The end (exclusive) of the JSON value starting at `at`.
fn skip_value(doc: &[u8], at: usize) -> Option<usize> {
    match doc.get(at)? {
        b'"' => {
            let mut i = at + 1;
            loop {
                match doc.get(i)? {
                    b'\\' => i += 2,
                    b'"' => return Some(i + 1),
                    _ => i += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match doc.get(i)? {
                    b'"' => {
                        i = skip_value(doc, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while doc
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace())
            {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_as_written() {
        let doc = br#" { "a": {"x": "]\"}"}, "list" : [ {"id": "A",  "n": [1, 2]} ,"s\"]", 3 , [ ] ], "z": 1 }"#;
        let items = array_items(doc, Some("list")).unwrap();
        let items: Vec<&str> = items
            .iter()
            .map(|i| std::str::from_utf8(i).unwrap())
            .collect();
        assert_eq!(
            items,
            [r#"{"id": "A",  "n": [1, 2]}"#, r#""s\"]""#, "3", "[ ]"]
        );
        assert_eq!(array_items(b"[]", None).unwrap().len(), 0);
        assert_eq!(
            array_items(b" [ {\"a\":1} ] ", None).unwrap(),
            [b"{\"a\":1}"]
        );
        assert!(array_items(doc, Some("missing")).is_none());
        assert!(array_items(doc, Some("z")).is_none());
        // Every element parses back to what serde_json sees in the document.
        let value: serde_json::Value = serde_json::from_slice(doc).unwrap();
        for (raw, parsed) in array_items(doc, Some("list"))
            .unwrap()
            .iter()
            .zip(value["list"].as_array().unwrap())
        {
            assert_eq!(
                &serde_json::from_slice::<serde_json::Value>(raw).unwrap(),
                parsed
            );
        }
    }
}
