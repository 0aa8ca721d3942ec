use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::{coerce_numbers, map_rows};
use crate::adapter::scalar_function;
use crate::kernels::score::{self, SCORE_WEIGHTS};

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Scoring Functions"),
        description = "The evidence-weighted score, 0 to 100: 100 × Clamp01(w_sev·cvss/10 + w_trust·trust + w_reach·reachability + w_rt·runtime). `trust` is the trust of the claim that the component is affected (1.0 when no VEX speaks); `reachability` 1.0 in the image's usage view, 0.0 absent from an existing usage view, 0.5 unknown; `runtime` 1.0 observed loaded, 0.0 observed not loaded, 0.5 no signal. Rounded to 2 decimals. Default weights 0.4 / 0.1 / 0.3 / 0.2; a policy passes its own as four more arguments. NULL when any argument is NULL; an error for a CVSS score outside 0..10, another value outside 0..1, or a negative weight.",
        syntax_example = "evidence_score(cvss, trust, reachability, runtime[, w_severity, w_trust, w_reachability, w_runtime])",
        sql_example = r#"```sql
> select evidence_score(9.8, 1.0, 1.0, 0.5) as reachable, evidence_score(9.8, 1.0, 0.0, 0.5) as unreachable, evidence_score(9.8, 1.0, 1.0, 0.5, 1.0, 0.0, 0.0, 0.0) as severity_only;
+-----------+-------------+---------------+
| reachable | unreachable | severity_only |
+-----------+-------------+---------------+
| 89.2      | 59.2        | 98.0          |
+-----------+-------------+---------------+
```"#,
        argument(name = "cvss", description = "A CVSS base score, 0 to 10 (e.g. `cvss_score(vector)`)."),
        argument(name = "trust", description = "Trust of the affected claim, 0 to 1."),
        argument(name = "reachability", description = "0 to 1: 1 reachable, 0 not, 0.5 unknown."),
        argument(name = "runtime", description = "0 to 1: 1 observed loaded, 0 observed not loaded, 0.5 no signal."),
        argument(name = "w_severity", description = "Optional weights, all four or none (default 0.4, 0.1, 0.3, 0.2).")
    )]
    EvidenceScoreFunc, "evidence_score", DataType::Float64,
    coerce: |arg_types| coerce_numbers(
        "evidence_score",
        &[4, 8],
        "4 arguments (cvss, trust, reachability, runtime) and optionally the 4 weights",
        arg_types,
    ),
    invoke: |args| map_rows(
        "evidence_score",
        args,
        |v| {
            let weights = if v.len() == 8 { [v[4], v[5], v[6], v[7]] } else { SCORE_WEIGHTS };
            score::evidence_score(v[0], v[1], v[2], v[3], weights)
        },
        |out| Arc::new(Float64Array::from(out)) as ArrayRef,
    )
}
