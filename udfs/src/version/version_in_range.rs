use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StructArray};
use arrow::datatypes::{DataType, Field, Fields};
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::osv_range::{Event, Range, version_in_ranges};

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

fn read_events(events: &StructArray) -> Vec<Event> {
    let col = |name: &str| {
        events
            .column_by_name(name)
            .map(|c| c.as_string::<i32>().clone())
    };
    let (i, f, la, l) = (
        col("introduced"),
        col("fixed"),
        col("last_affected"),
        col("limit"),
    );
    let get = |c: &Option<arrow::array::StringArray>, row: usize| {
        c.as_ref()
            .filter(|c| c.is_valid(row))
            .map(|c| c.value(row).to_string())
    };
    (0..events.len())
        .filter(|&row| events.is_valid(row))
        .map(|row| Event {
            introduced: get(&i, row),
            fixed: get(&f, row),
            last_affected: get(&la, row),
            limit: get(&l, row),
        })
        .collect()
}

fn read_ranges(ranges: &StructArray) -> Vec<Range> {
    let types = ranges.column(0).as_string::<i32>();
    let events = ranges.column(1).as_list::<i32>();
    (0..ranges.len())
        .filter(|&row| ranges.is_valid(row))
        .map(|row| Range {
            kind: types
                .is_valid(row)
                .then(|| types.value(row).parse().ok())
                .flatten(),
            events: if events.is_valid(row) {
                read_events(events.value(row).as_struct())
            } else {
                Vec::new()
            },
        })
        .collect()
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
        let ranges = arrays[2].as_list::<i32>();
        let out: BooleanArray = (0..eco.len())
            .map(|row| {
                let (eco, version) = (eco.get(row)?, version.get(row)?);
                if ranges.is_null(row) {
                    return None;
                }
                let parsed = read_ranges(ranges.value(row).as_struct());
                version_in_ranges(eco, version, &parsed)
            })
            .collect();
        adapter::finish(Arc::new(out) as ArrayRef, scalar)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
