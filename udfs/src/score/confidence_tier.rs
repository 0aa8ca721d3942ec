use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Float64Type};
use datafusion_common::exec_err;
use datafusion_macros::user_doc;

use super::coerce_numbers;
use crate::adapter::{self, scalar_function};
use crate::kernels::score::Tier;

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Scoring Functions"),
        description = "The tier of a confidence (0 to 1): `VeryHigh` ≥ 0.9, `High` ≥ 0.7, `Medium` ≥ 0.5, `Low` ≥ 0.3, else `VeryLow`. NULL for NULL; an error outside 0..1.",
        syntax_example = "confidence_tier(confidence)",
        sql_example = r#"```sql
> select confidence_tier(0.9) as a, confidence_tier(0.69) as b, confidence_tier(0.1) as c;
+----------+--------+---------+
| a        | b      | c       |
+----------+--------+---------+
| VeryHigh | Medium | VeryLow |
+----------+--------+---------+
```"#,
        argument(name = "confidence", description = "A confidence, 0 to 1 (e.g. `confidence(...)`).")
    )]
    ConfidenceTierFunc, "confidence_tier", DataType::Utf8,
    coerce: |arg_types| coerce_numbers("confidence_tier", &[1], "1 argument (confidence)", arg_types),
    invoke: |args| {
        let (arrays, scalar) = adapter::to_arrays(args)?;
        let c = arrays[0].as_primitive::<Float64Type>();
        let mut out = Vec::with_capacity(c.len());
        for i in 0..c.len() {
            if c.is_null(i) {
                out.push(None);
                continue;
            }
            match Tier::of(c.value(i)) {
                Ok(t) => out.push(Some(t.label())),
                Err(e) => return exec_err!("confidence_tier: {e}"),
            }
        }
        adapter::finish(Arc::new(StringArray::from(out)) as ArrayRef, scalar)
    }
}
