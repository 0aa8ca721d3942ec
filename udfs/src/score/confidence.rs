use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::{coerce_numbers, map_rows};
use crate::adapter::scalar_function;
use crate::kernels::score::{self, CONFIDENCE_WEIGHTS};

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Scoring Functions"),
        description = "How sure a verdict is, 0 to 1: Clamp01(Σ weight × value) over five values of 0 to 1: reachability, runtime, VEX, provenance and policy. Default weights 0.25 / 0.20 / 0.25 / 0.15 / 0.15 (they sum to 1, so full evidence gives 1); rounded to 4 decimals; a policy passes its own as five more arguments. NULL when any argument is NULL; an error for a value outside 0..1 or a negative weight. `confidence_tier` names its tier.",
        syntax_example = "confidence(reachability, runtime, vex, provenance, policy[, w_reachability, w_runtime, w_vex, w_provenance, w_policy])",
        sql_example = r#"```sql
> select confidence(1, 1, 1, 1, 1) as full_evidence, confidence(0.5, 0.5, 1, 0.4, 1) as partial, confidence(1, 0, 0, 0, 0, 1, 0, 0, 0, 0) as reachability_only;
+---------------+---------+-------------------+
| full_evidence | partial | reachability_only |
+---------------+---------+-------------------+
| 1.0           | 0.685   | 1.0               |
+---------------+---------+-------------------+
```"#,
        argument(name = "reachability", description = "0 to 1."),
        argument(name = "runtime", description = "0 to 1."),
        argument(name = "vex", description = "0 to 1."),
        argument(name = "provenance", description = "0 to 1."),
        argument(name = "policy", description = "0 to 1."),
        argument(name = "w_reachability", description = "Optional weights, all five or none (default 0.25, 0.20, 0.25, 0.15, 0.15).")
    )]
    ConfidenceFunc, "confidence", DataType::Float64,
    coerce: |arg_types| coerce_numbers(
        "confidence",
        &[5, 10],
        "5 arguments (reachability, runtime, vex, provenance, policy) and optionally the 5 weights",
        arg_types,
    ),
    invoke: |args| map_rows(
        "confidence",
        args,
        |v| {
            let weights = if v.len() == 10 { [v[5], v[6], v[7], v[8], v[9]] } else { CONFIDENCE_WEIGHTS };
            score::confidence([v[0], v[1], v[2], v[3], v[4]], weights)
        },
        |out| Arc::new(Float64Array::from(out)) as ArrayRef,
    )
}
