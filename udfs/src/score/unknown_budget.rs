use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::{coerce_numbers, map_rows};
use crate::adapter::scalar_function;
use crate::kernels::score::BudgetState;

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Scoring Functions"),
        description = "Where a count of unknown findings stands against an unknown budget: `exceeded` above `max_unknown`, `warning` from `warn_threshold` × `max_unknown` (with at least one unknown finding), else `within`. NULL when an argument is NULL (no budget); an error for a negative count or a threshold outside 0..1.",
        syntax_example = "unknown_budget(unknown, max_unknown, warn_threshold)",
        sql_example = r#"```sql
> select unknown_budget(7, 10, 0.8) as a, unknown_budget(8, 10, 0.8) as b, unknown_budget(11, 10, 0.8) as c;
+--------+---------+----------+
| a      | b       | c        |
+--------+---------+----------+
| within | warning | exceeded |
+--------+---------+----------+
```"#,
        argument(name = "unknown", description = "The number of unknown findings."),
        argument(name = "max_unknown", description = "The budget: the most unknown findings allowed."),
        argument(name = "warn_threshold", description = "The fraction of the budget from which to warn, 0 to 1 (the policy's default is 0.8).")
    )]
    UnknownBudgetFunc, "unknown_budget", DataType::Utf8,
    coerce: |arg_types| coerce_numbers(
        "unknown_budget", &[3], "3 arguments (unknown, max_unknown, warn_threshold)", arg_types),
    invoke: |args| map_rows(
        "unknown_budget",
        args,
        |v| BudgetState::of(v[0], v[1], v[2]).map(BudgetState::label),
        |out| Arc::new(StringArray::from(out)) as ArrayRef,
    )
}
