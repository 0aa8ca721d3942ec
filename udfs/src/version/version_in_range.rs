use std::sync::{Arc, LazyLock};

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, ListArray};
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

/// FxHash's word-at-a-time mixing: the index keys are ready-made (keyed) hashes already.
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

/// One compiled range list, with where it came from (its ecosystem and first row) and the
/// answers it has given in this batch: a fleet meets one advisory entry with the same package
/// version many times.
struct Entry<'a> {
    ranges: CompiledRanges,
    ecosystem: &'a str,
    row: usize,
    answers: Answers<'a>,
}

/// The last answers of one entry by version, compared in place (no hashing): a fleet meets an
/// entry in a few versions of its package, and rows with many different versions (each seen
/// about once) gain nothing from remembering more than [`RECENT`].
#[derive(Default)]
struct Answers<'a> {
    /// The first answer, kept without allocating: most entries of a batch meet one version.
    first: Option<(&'a str, Option<bool>)>,
    more: Vec<(&'a str, Option<bool>)>,
    /// The slot of `more` to take next once it is full.
    next: usize,
}

/// How many answers an entry remembers besides its first.
const RECENT: usize = 15;

impl<'a> Entry<'a> {
    fn answer(&mut self, version: &'a str) -> Option<bool> {
        let answers = &mut self.answers;
        let known = answers
            .first
            .iter()
            .chain(&answers.more)
            .find(|(v, _)| same_str(Some(v), Some(version)));
        if let Some((_, known)) = known {
            return *known;
        }
        let answer = self.ranges.contains(version);
        if answers.first.is_none() {
            answers.first = Some((version, answer));
        } else if answers.more.len() < RECENT {
            answers.more.push((version, answer));
        } else {
            answers.more[answers.next] = (version, answer);
            answers.next = (answers.next + 1) % RECENT;
        }
        answer
    }
}

/// The ranges column, read once per batch into the form compiling reads: each row's ranges,
/// each range's type and events, each event's kind and version.
struct RangesColumn<'a> {
    list: &'a ListArray,
    /// Every range: its type as stored and its events (a span of `event`; none when its list
    /// is NULL).
    range: Vec<(Option<&'a str>, std::ops::Range<usize>)>,
    /// Every event: its kind and version (the first of its fields set).
    event: Vec<Option<(Kind, &'a str)>>,
}

impl<'a> RangesColumn<'a> {
    fn new(array: &'a ArrayRef) -> Result<RangesColumn<'a>> {
        let list = array.as_list::<i32>();
        let ranges = list.values().as_struct();
        let (types, events) = (
            ranges.column(0).as_string::<i32>(),
            ranges.column(1).as_list::<i32>(),
        );
        let offsets = events.value_offsets();
        let range = (0..ranges.len())
            .map(|r| {
                let ty = types.is_valid(r).then(|| types.value(r));
                if events.is_null(r) {
                    return (ty, 0..0);
                }
                (ty, offsets[r] as usize..offsets[r + 1] as usize)
            })
            .collect();
        // The fields a column at a time, the last first, so that the first field set wins.
        let fields = events.values().as_struct();
        let mut event = vec![None; fields.len()];
        for (kind, name) in [
            (Kind::Limit, "limit"),
            (Kind::LastAffected, "last_affected"),
            (Kind::Fixed, "fixed"),
            (Kind::Introduced, "introduced"),
        ] {
            let Some(col) = fields.column_by_name(name).map(|c| c.as_string::<i32>()) else {
                continue;
            };
            match col.nulls() {
                None => (0..col.len()).for_each(|e| event[e] = Some((kind, col.value(e)))),
                Some(nulls) => nulls
                    .valid_indices()
                    .for_each(|e| event[e] = Some((kind, col.value(e)))),
            }
        }
        Ok(RangesColumn { list, range, event })
    }

    /// The ranges of `row`: each its type as stored and its events.
    fn raw(&self, row: usize) -> &[(Option<&'a str>, std::ops::Range<usize>)] {
        let offsets = self.list.value_offsets();
        &self.range[offsets[row] as usize..offsets[row + 1] as usize]
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
        self.raw(row).iter().map(|(ty, events)| {
            let kind = ty.and_then(|t| t.parse().ok());
            (kind, self.event[events.clone()].iter().flatten().copied())
        })
    }

    /// Whether rows `a` and `b` hold the same ranges as compiling reads them (each range's type
    /// text, its events' kinds and versions): what every reuse of a compiled form is confirmed
    /// with, so that no entry is ever lent another's answer.
    fn same(&self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.raw(a), self.raw(b));
        ra.len() == rb.len()
            && ra.iter().zip(rb).all(|((tx, ex), (ty, ey))| {
                same_str(*tx, *ty)
                    && ex.len() == ey.len()
                    && self.event[ex.clone()]
                        .iter()
                        .zip(&self.event[ey.clone()])
                        .all(|(p, q)| match (p, q) {
                            (Some((k, v)), Some((l, w))) => k == l && same_str(Some(v), Some(w)),
                            (None, None) => true,
                            _ => false,
                        })
            })
    }

    /// A hash (aHash, with a random key per process) of `ecosystem` and the row's ranges as
    /// [`RangesColumn::same`] compares them, so that an entry met again further on in the batch
    /// is found; a hit is confirmed with `same`.
    fn key(&self, state: &ahash::RandomState, ecosystem: &str, row: usize) -> u64 {
        let mut h = state.build_hasher();
        let mut text = |tag: u8, s: &str| {
            h.write_u64(u64::from(tag) << 56 | s.len() as u64);
            h.write(s.as_bytes());
        };
        text(0, ecosystem);
        for (ty, events) in self.raw(row) {
            text(1, ty.unwrap_or_default());
            for event in &self.event[events.clone()] {
                match event {
                    Some((kind, v)) => text(2 + *kind as u8, v),
                    None => text(9, ""),
                }
            }
        }
        h.finish()
    }
}

/// Whether two optional strings are equal, inline for the short ones ranges are made of.
#[inline(always)]
fn same_str(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.len() == b.len() && same_bytes(a.as_bytes(), b.as_bytes()),
        (None, None) => true,
        _ => false,
    }
}

/// `a == b` for slices of equal length: short ones (as versions are) in two overlapping
/// loads each, without a library call.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len();
    let u32_at = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("4"));
    let u64_at = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8"));
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=8 => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        9..=16 => u64_at(a, 0) == u64_at(b, 0) && u64_at(a, n - 8) == u64_at(b, n - 8),
        _ => a == b,
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
        // together after a join: a row that holds the same ranges as the row before takes its
        // compiled form; another is looked up by hash and confirmed by comparing the ranges.
        let state = ahash::RandomState::new();
        let mut index: FxMap<u64, usize> = FxMap::default();
        let mut compiled: Vec<Entry> = Vec::new();
        let mut last: Option<usize> = None;
        let out: BooleanArray = (0..eco.len())
            .map(|row| {
                let (eco, version) = (eco.get(row)?, version.get(row)?);
                if ranges.list.is_null(row) {
                    return None;
                }
                let same_as = |at: &usize| {
                    compiled[*at].ecosystem == eco && ranges.same(compiled[*at].row, row)
                };
                let at = match last.filter(same_as) {
                    Some(at) => at,
                    None => {
                        let key = ranges.key(&state, eco, row);
                        match index.get(&key).copied().filter(same_as) {
                            Some(at) => at,
                            None => {
                                compiled.push(Entry {
                                    ranges: CompiledRanges::new(eco, ranges.row(row)),
                                    ecosystem: eco,
                                    row,
                                    answers: Answers::default(),
                                });
                                index.insert(key, compiled.len() - 1);
                                compiled.len() - 1
                            }
                        }
                    }
                };
                last = Some(at);
                compiled[at].answer(version)
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
    use crate::kernels::osv_range::{Event, Range, version_in_ranges};
    use arrow::json::ReaderBuilder;
    use serde_json::{Value, json};

    /// The ranges column of `rows` (each a JSON list of OSV ranges), as Arrow reads it.
    fn column(rows: &[Value]) -> ArrayRef {
        let field = Arc::new(Field::new("r", ranges_data_type(), true));
        let schema = Arc::new(arrow::datatypes::Schema::new(vec![field]));
        let mut decoder = ReaderBuilder::new(schema).build_decoder().unwrap();
        let rows: Vec<Value> = rows.iter().map(|r| json!({ "r": r })).collect();
        decoder.serialize(&rows).unwrap();
        decoder.flush().unwrap().unwrap().column(0).clone()
    }

    fn semver(events: Value) -> Value {
        json!([{"type": "SEMVER", "events": events}])
    }

    #[test]
    fn rows_are_the_same_when_compiling_reads_the_same() {
        let array = column(&[
            semver(json!([{"introduced": "0"}, {"fixed": "1.2.0"}])),
            semver(json!([{"introduced": "0"}, {"fixed": "1.2.0"}])),
            semver(json!([{"introduced": "0"}, {"fixed": "1.3.0"}])),
            semver(json!([{"introduced": "0"}, {"last_affected": "1.2.0"}])),
            json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}]),
            semver(json!([{"introduced": "0"}])),
            // Two fields in one event: the first set is what compiling reads.
            semver(json!([{"introduced": "0", "fixed": "9.9.9"}])),
            json!([{"type": "SEMVER", "events": null}]),
            semver(json!([])),
        ]);
        let col = RangesColumn::new(&array).unwrap();
        let state = ahash::RandomState::new();
        let same = |a, b| {
            let same = col.same(a, b);
            if same {
                assert_eq!(col.key(&state, "Go", a), col.key(&state, "Go", b));
            }
            same
        };
        assert!(same(0, 0) && same(0, 1));
        for other in [2, 3, 4, 5] {
            assert!(!same(0, other), "row {other}");
        }
        assert!(same(5, 6));
        assert!(
            same(7, 8),
            "a NULL event list and an empty one both have no events"
        );
        assert!(!same(5, 7));
        assert_ne!(col.key(&state, "Go", 0), col.key(&state, "Go", 2));
        assert_ne!(col.key(&state, "Go", 0), col.key(&state, "npm", 0));
    }

    /// The kernel's answer for one row, from the JSON directly (not through Arrow).
    fn expected(ecosystem: &str, version: &str, ranges: &Value) -> Option<bool> {
        let ranges: Vec<Range> = ranges
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Range {
                kind: r["type"].as_str().and_then(|t| t.parse().ok()),
                events: r["events"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let s = |k: &str| e[k].as_str().map(String::from);
                        Event {
                            introduced: s("introduced"),
                            fixed: s("fixed"),
                            last_affected: s("last_affected"),
                            limit: s("limit"),
                        }
                    })
                    .collect(),
            })
            .collect();
        version_in_ranges(ecosystem, version, &ranges)
    }

    /// Rows of a few entries, in runs and interleaved, entries that differ in one event or only
    /// in their ecosystem, and one entry met in more versions than it remembers: every row gets
    /// the answer the kernel gives for that row alone.
    #[test]
    fn reuse_never_changes_an_answer() {
        let a = semver(json!([{"introduced": "0"}, {"fixed": "1.2.0"}]));
        let b = semver(json!([{"introduced": "1.0.0"}, {"fixed": "1.5.0"}]));
        let b2 = semver(json!([{"introduced": "1.0.0"}, {"fixed": "1.6.0"}]));
        let e = json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]);
        let mut rows: Vec<(&str, String, Value)> = Vec::new();
        for v in ["1.1.0", "1.1.0", "1.2.0", "1.5.5"] {
            rows.push(("Go", v.into(), a.clone()));
        }
        for v in ["1.4.0", "1.5.5", "1.5.5", "0.9.0"] {
            rows.push(("Go", v.into(), b.clone()));
            rows.push(("Go", v.into(), b2.clone()));
            rows.push(("Go", v.into(), a.clone()));
        }
        // The same ranges in two ecosystems: PyPI reads 1.10 after 1.9, npm cannot read it.
        for eco in ["PyPI", "npm", "PyPI"] {
            rows.push((eco, "1.10".into(), e.clone()));
        }
        for minor in 0..40 {
            rows.push(("Go", format!("1.{}.0", minor % 23), b.clone()));
        }
        let ecosystems: ArrayRef = Arc::new(arrow::array::StringArray::from_iter_values(
            rows.iter().map(|r| r.0),
        ));
        let versions: ArrayRef = Arc::new(arrow::array::StringArray::from_iter_values(
            rows.iter().map(|r| r.1.as_str()),
        ));
        let ranges = column(&rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>());
        let args = [ecosystems, versions, ranges];
        let result = VersionInRangeFunc::new()
            .invoke_with_args(ScalarFunctionArgs {
                arg_fields: args
                    .iter()
                    .map(|a| Arc::new(Field::new("a", a.data_type().clone(), true)))
                    .collect(),
                args: args.into_iter().map(ColumnarValue::Array).collect(),
                number_rows: rows.len(),
                return_field: Arc::new(Field::new("r", DataType::Boolean, true)),
                config_options: Arc::new(Default::default()),
            })
            .unwrap();
        let ColumnarValue::Array(result) = result else {
            panic!("an array in, an array out");
        };
        let result = result.as_boolean();
        let got: Vec<Option<bool>> = (0..rows.len())
            .map(|i| result.is_valid(i).then(|| result.value(i)))
            .collect();
        let want: Vec<Option<bool>> = rows.iter().map(|(e, v, r)| expected(e, v, r)).collect();
        assert_eq!(got, want);
        // The rows cover each answer, so that a wrong reuse would show.
        for answer in [Some(true), Some(false), None] {
            assert!(want.contains(&answer), "{answer:?}");
        }
    }
}
