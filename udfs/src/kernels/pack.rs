//! Several text fields, some of them NULL, carried as one string and given back exactly.
//!
//! A query that must keep a whole row per group (the winner of a ranking, with what it says)
//! can keep one string with `min()`, which DataFusion aggregates column-wise, where an ordered
//! `first_value` of a struct keeps a row of values per group. The pack is that string.
//!
//! Fields are separated by U+001F (unit separator); a NULL field is U+001E (record separator)
//! alone. Inside a value, `%`, U+001E and U+001F are written `%25`, `%1E` and `%1F`, so a value
//! free of those three is written as it is, and packs whose first fields are of equal length
//! and free of them compare as those first fields do.

use std::borrow::Cow;

/// Between two fields.
pub const SEPARATOR: char = '\u{1f}';
/// A NULL field.
pub const NULL: char = '\u{1e}';

/// Appends the pack of `fields` to `out`.
pub fn pack<'a>(fields: impl IntoIterator<Item = Option<&'a str>>, out: &mut String) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        match field {
            None => out.push(NULL),
            Some(v) => {
                for c in v.chars() {
                    match c {
                        '%' => out.push_str("%25"),
                        NULL => out.push_str("%1E"),
                        SEPARATOR => out.push_str("%1F"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
}

/// Field `n` (from 1) of `packed`: `None` when it is NULL or the pack has fewer fields.
pub fn field(packed: &str, n: usize) -> Option<Cow<'_, str>> {
    let raw = packed.split(SEPARATOR).nth(n.checked_sub(1)?)?;
    if raw.len() == 1 && raw.starts_with(NULL) {
        return None;
    }
    if !raw.contains('%') {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let (c, skip) = match rest.get(at + 1..at + 3) {
            Some("25") => ('%', 3),
            Some("1E") => (NULL, 3),
            Some("1F") => (SEPARATOR, 3),
            _ => ('%', 1), // not written by pack; kept as it is
        };
        out.push(c);
        rest = &rest[at + skip..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(fields: &[Option<&str>]) -> String {
        let mut out = String::new();
        pack(fields.iter().copied(), &mut out);
        out
    }

    #[test]
    fn every_field_comes_back_exactly() {
        let fields = [
            Some("issuer-1"),
            None,
            Some(""),
            Some("100%"),
            Some("a\u{1f}b\u{1e}c"),
            Some("%1F is not a separator, %25 not a percent"),
            Some("ünïcödé"),
            None,
        ];
        let p = packed(&fields);
        assert_eq!(p.split(SEPARATOR).count(), fields.len());
        for (i, want) in fields.iter().enumerate() {
            assert_eq!(field(&p, i + 1).as_deref(), *want, "field {}", i + 1);
        }
        assert_eq!(field(&p, 0), None);
        assert_eq!(field(&p, fields.len() + 1), None);
    }

    #[test]
    fn plain_values_are_written_as_they_are_so_packs_sort_by_their_first_field() {
        assert_eq!(packed(&[Some("0a"), Some("x")]), "0a\u{1f}x");
        let (a, b) = (
            packed(&[Some("01"), Some("zzz")]),
            packed(&[Some("02"), Some("a")]),
        );
        assert!(a < b);
    }

    #[test]
    fn an_empty_string_and_null_differ() {
        let p = packed(&[Some(""), None]);
        assert_eq!(field(&p, 1).as_deref(), Some(""));
        assert_eq!(field(&p, 2), None);
    }
}
