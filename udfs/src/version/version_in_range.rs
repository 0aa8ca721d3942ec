use std::sync::{Arc, LazyLock};

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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

/// Hashes a key that is already a hash (a 64-bit FNV-1a of the row) by passing it through.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
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

    /// A 64-bit hash of `ecosystem` and the row's ranges as stored (FxHash's word-at-a-time
    /// mixing over the contiguous bytes of each column): rows of one advisory entry, which a
    /// join repeats, share one compiled form.
    fn key(&self, ecosystem: &str, row: usize) -> u64 {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h: u64 = 0;
        let mut mix = |word: u64| h = (h.rotate_left(5) ^ word).wrapping_mul(K);
        let mut feed = |bytes: &[u8]| {
            let mut chunks = bytes.chunks_exact(8);
            for c in &mut chunks {
                mix(u64::from_le_bytes(c.try_into().expect("8 bytes")));
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            mix(u64::from_le_bytes(tail));
            mix(bytes.len() as u64);
        };
        let bytes = |col: &'a StringArray, span: std::ops::Range<usize>| {
            let offsets = col.value_offsets();
            &col.value_data()[offsets[span.start] as usize..offsets[span.end] as usize]
        };
        let (ranges, events) = self.spans(row);
        feed(ecosystem.as_bytes());
        feed(bytes(self.types, ranges));
        for col in self.fields.iter().flatten() {
            feed(bytes(col, events.clone()));
        }
        h
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
        // Each distinct (ecosystem, ranges) is compiled once per batch; rows of one entry come
        // together after a join, so the previous row's is tried first, then a hash of the row.
        // Either is confirmed by comparing the ranges themselves.
        let mut index: HashMap<u64, usize, BuildHasherDefault<KeyHasher>> = HashMap::default();
        // Each compiled form with the ecosystem and row it was compiled from.
        let mut compiled: Vec<(CompiledRanges, &str, usize)> = Vec::new();
        let mut last: Option<usize> = None;
        let out: BooleanArray = (0..eco.len())
            .map(|row| {
                let (eco, version) = (eco.get(row)?, version.get(row)?);
                if ranges.list.is_null(row) {
                    return None;
                }
                let same_as =
                    |at: &usize| compiled[*at].1 == eco && ranges.same(compiled[*at].2, row);
                let at = match last.filter(same_as) {
                    Some(at) => at,
                    None => {
                        let key = ranges.key(eco, row);
                        match index.get(&key).copied().filter(same_as) {
                            Some(at) => at,
                            None => {
                                compiled.push((
                                    CompiledRanges::new(eco, ranges.row(row)),
                                    eco,
                                    row,
                                ));
                                index.insert(key, compiled.len() - 1);
                                compiled.len() - 1
                            }
                        }
                    }
                };
                last = Some(at);
                compiled[at].0.contains(version)
            })
            .collect();
        adapter::finish(Arc::new(out) as ArrayRef, scalar)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
