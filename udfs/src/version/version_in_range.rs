use std::sync::{Arc, LazyLock};

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray, StringArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::osv_range::{CompiledRanges, Kind, RangeType};

/// The Arrow type of OSV ranges as `advisory_affected.ranges` stores them:
/// `list<struct<type, events: list<struct<introduced, fixed, last_affected, limit>>>>`.
pub fn ranges_data_type() -> DataType {
    static TYPE: LazyLock<DataType> = LazyLock::new(|| {
        let event = Fields::from(vec![
            Field::new("introduced", DataType::Utf8, true),
            Field::new("fixed", DataType::Utf8, true),
            Field::new("last_affected", DataType::Utf8, true),
            Field::new("limit", DataType::Utf8, true),
        ]);
        let range = Fields::from(vec![
            Field::new("type", DataType::Utf8, true),
            Field::new(
                "events",
                DataType::List(Arc::new(Field::new("item", DataType::Struct(event), true))),
                true,
            ),
        ]);
        DataType::List(Arc::new(Field::new("item", DataType::Struct(range), true)))
    });
    TYPE.clone()
}

#[user_doc(
    doc_section(label = "vexlake Version Functions"),
    description = "True when `version` of a package in an OSV `ecosystem` falls in any of the OSV `ranges` (SEMVER and ECOSYSTEM ranges; GIT ranges are skipped when others exist). NULL when undecidable: the version or an event cannot be read, or only GIT ranges exist.",
    syntax_example = "version_in_range(ecosystem, version, ranges)",
    sql_example = r#"```sql
> select version_in_range('Go', '1.1.0', [named_struct('type', 'SEMVER', 'events', [named_struct('introduced', '0', 'fixed', null, 'last_affected', null, 'limit', null), named_struct('introduced', null, 'fixed', '1.2.0', 'last_affected', null, 'limit', null)])]) as affected;
+----------+
| affected |
+----------+
| true     |
+----------+
```"#,
    argument(
        name = "ecosystem",
        description = "OSV ecosystem of the package, e.g. `Go`, `Maven`."
    ),
    argument(name = "version", description = "The installed version."),
    argument(
        name = "ranges",
        description = "OSV ranges, as in `advisory_affected.ranges`."
    )
)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VersionInRangeFunc {
    signature: Signature,
}

impl Default for VersionInRangeFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl VersionInRangeFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// FxHash's word-at-a-time mixing: fast for the short strings and ready-made hashes it keys.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.mix(u64::from_le_bytes(tail));
        self.mix(bytes.len() as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// One compiled range list, with where it came from and the answers it has given in this
/// batch: a fleet joins one advisory entry with the same package version many times.
struct Entry<'a> {
    ranges: CompiledRanges,
    ecosystem: &'a str,
    row: usize,
    answers: FxMap<&'a str, Option<bool>>,
}

/// The ranges column, read in place: range rows, their types, and each range's events.
struct RangesColumn<'a> {
    list: &'a ListArray,
    types: &'a StringArray,
    events: &'a ListArray,
    /// introduced, fixed, last_affected, limit.
    fields: [Option<&'a StringArray>; 4],
}

const KINDS: [Kind; 4] = [
    Kind::Introduced,
    Kind::Fixed,
    Kind::LastAffected,
    Kind::Limit,
];

impl<'a> RangesColumn<'a> {
    fn new(array: &'a ArrayRef) -> Result<RangesColumn<'a>> {
        let list = array.as_list::<i32>();
        let ranges = list.values().as_struct();
        let events = ranges.column(1).as_list::<i32>();
        let event_fields = events.values().as_struct();
        let field = |name: &str| {
            event_fields
                .column_by_name(name)
                .map(|c| c.as_string::<i32>())
        };
        Ok(RangesColumn {
            list,
            types: ranges.column(0).as_string::<i32>(),
            events,
            fields: [
                field("introduced"),
                field("fixed"),
                field("last_affected"),
                field("limit"),
            ],
        })
    }

    /// The ranges of `row`: each range's type and its `(kind, version)` events.
    fn row(
        &self,
        row: usize,
    ) -> impl Iterator<
        Item = (
            Option<RangeType>,
            impl Iterator<Item = (Kind, &'a str)> + '_,
        ),
    > + '_ {
        self.raw(row)
            .map(|(ty, events)| (ty.and_then(|t| t.parse().ok()), events))
    }

    /// The ranges of `row` as stored: each range's type text and its events.
    fn raw(
        &self,
        row: usize,
    ) -> impl Iterator<Item = (Option<&'a str>, impl Iterator<Item = (Kind, &'a str)> + '_)> + '_
    {
        let ranges = self.list.value_offsets();
        let (start, end) = (ranges[row] as usize, ranges[row + 1] as usize);
        (start..end).map(move |r| {
            let kind = self.types.is_valid(r).then(|| self.types.value(r));
            let offsets = self.events.value_offsets();
            let (es, ee) = if self.events.is_valid(r) {
                (offsets[r] as usize, offsets[r + 1] as usize)
            } else {
                (0, 0)
            };
            (kind, (es..ee).filter_map(move |e| self.event(e)))
        })
    }

    /// The kind and version of event `e` (the first field set).
    fn event(&self, e: usize) -> Option<(Kind, &'a str)> {
        self.fields.iter().zip(KINDS).find_map(|(col, kind)| {
            let col = (*col)?;
            col.is_valid(e).then(|| (kind, col.value(e)))
        })
    }

    /// The range rows and the event rows of `row` (both contiguous in the child arrays).
    fn spans(&self, row: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let ranges = self.list.value_offsets();
        let (rs, re) = (ranges[row] as usize, ranges[row + 1] as usize);
        let events = self.events.value_offsets();
        (rs..re, events[rs] as usize..events[re] as usize)
    }

    /// Whether rows `a` and `b` hold the same ranges, compared as stored (types, event list
    /// shapes, every event field), without reading any version: what reuse of a compiled form
    /// is confirmed with, so that a hash collision can never lend one entry another's answer.
    fn same(&self, a: usize, b: usize) -> bool {
        let ((ra, ea), (rb, eb)) = (self.spans(a), self.spans(b));
        if ra.len() != rb.len() || ea.len() != eb.len() {
            return false;
        }
        let same_strings = |col: &StringArray, x: usize, y: usize| {
            col.is_valid(x) == col.is_valid(y) && (col.is_null(x) || col.value(x) == col.value(y))
        };
        let ranges_same = ra.zip(rb).all(|(x, y)| {
            same_strings(self.types, x, y)
                && self.events.is_valid(x) == self.events.is_valid(y)
                && self.events.value_length(x) == self.events.value_length(y)
        });
        ranges_same
            && self.fields.iter().flatten().all(|col| {
                ea.clone()
                    .zip(eb.clone())
                    .all(|(x, y)| same_strings(col, x, y))
            })
    }

    /// A keyed 64-bit hash (aHash, with a random key per process) of `ecosystem` and the
    /// row's ranges as stored (the contiguous bytes of each column): it identifies a row's
    /// ranges. Two different range lists share it with a chance of about 2^-64, and nobody can
    /// aim for that without the key.
    fn key(&self, state: &ahash::RandomState, ecosystem: &str, row: usize) -> u64 {
        let mut h = state.build_hasher();
        h.write(ecosystem.as_bytes());
        // Every element with its length, or u32::MAX for a NULL, so that boundaries count.
        let mut elements = |col: &StringArray, span: std::ops::Range<usize>| {
            for i in span {
                if col.is_valid(i) {
                    let v = col.value(i);
                    h.write_u32(v.len() as u32);
                    h.write(v.as_bytes());
                } else {
                    h.write_u32(u32::MAX);
                }
            }
        };
        let (ranges, events) = self.spans(row);
        elements(self.types, ranges.clone());
        for col in self.fields.iter().flatten() {
            elements(col, events.clone());
        }
        for r in ranges {
            h.write_i32(if self.events.is_valid(r) {
                self.events.value_length(r)
            } else {
                -1
            });
        }
        h.finish()
    }
}

impl ScalarUDFImpl for VersionInRangeFunc {
    fn name(&self) -> &str {
        "version_in_range"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let [eco, version, ranges] = arg_types else {
            return plan_err!(
                "version_in_range expects 3 arguments (ecosystem, version, ranges), got {}",
                arg_types.len()
            );
        };
        let mut out = adapter::coerce_strings(self.name(), &[eco.clone(), version.clone()])?;
        match ranges {
            DataType::List(_) | DataType::LargeList(_) | DataType::Null => {
                out.push(ranges_data_type())
            }
            other => {
                return plan_err!("version_in_range expects a list of OSV ranges, got {other}");
            }
        }
        Ok(out)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (arrays, scalar) = adapter::to_arrays(&args.args)?;
        let eco = adapter::Strings::of(&arrays[0])?;
        let version = adapter::Strings::of(&arrays[1])?;
        let ranges = RangesColumn::new(&arrays[2])?;
        // Each distinct (ecosystem, ranges) is compiled once per batch. Rows of one entry come
        // together after a join: a row whose key is the previous row's takes its compiled form;
        // another is looked up by key and confirmed by comparing the stored ranges.
        let state = ahash::RandomState::new();
        let mut index: FxMap<u64, usize> = FxMap::default();
        let mut compiled: Vec<Entry> = Vec::new();
        let mut last: Option<(u64, usize)> = None;
        let out: BooleanArray = (0..eco.len())
            .map(|row| {
                let (eco, version) = (eco.get(row)?, version.get(row)?);
                if ranges.list.is_null(row) {
                    return None;
                }
                let same_as = |at: &usize| {
                    compiled[*at].ecosystem == eco && ranges.same(compiled[*at].row, row)
                };
                let key = ranges.key(&state, eco, row);
                let at = match last.filter(|(k, _)| *k == key).map(|(_, at)| at) {
                    Some(at) => at,
                    None => match index.get(&key).copied().filter(same_as) {
                        Some(at) => at,
                        None => {
                            compiled.push(Entry {
                                ranges: CompiledRanges::new(eco, ranges.row(row)),
                                ecosystem: eco,
                                row,
                                answers: FxMap::default(),
                            });
                            index.insert(key, compiled.len() - 1);
                            compiled.len() - 1
                        }
                    },
                };
                last = Some((key, at));
                let entry = &mut compiled[at];
                *entry
                    .answers
                    .entry(version)
                    .or_insert_with(|| entry.ranges.contains(version))
            })
            .collect();
        adapter::finish(Arc::new(out) as ArrayRef, scalar)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::json::ReaderBuilder;

    #[test]
    fn identical_rows_are_the_same_and_others_are_not() {
        let field = Arc::new(Field::new("r", ranges_data_type(), true));
        let schema = Arc::new(arrow::datatypes::Schema::new(vec![field]));
        let row = |fixed: &str| {
            format!(
                r#"{{"r": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}"#
            )
        };
        let rows = [row("1.2.0"), row("1.2.0"), row("1.3.0")];
        let mut decoder = ReaderBuilder::new(schema).build_decoder().unwrap();
        for r in &rows {
            decoder.decode(r.as_bytes()).unwrap();
        }
        let array = decoder.flush().unwrap().unwrap().column(0).clone();
        let col = RangesColumn::new(&array).unwrap();
        assert!(col.same(0, 0));
        assert!(col.same(0, 1));
        assert!(!col.same(0, 2));
        let state = ahash::RandomState::new();
        assert_eq!(col.key(&state, "Go", 0), col.key(&state, "Go", 1));
        assert_ne!(col.key(&state, "Go", 0), col.key(&state, "Go", 2));
    }
}
