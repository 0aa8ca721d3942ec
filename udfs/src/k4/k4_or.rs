use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::{k4_function, uint8_array};
use crate::kernels::k4::K4;

k4_function! {
    #[user_doc(
        doc_section(label = "vexlake K4 Functions"),
        description = "Belnap's truth or of two K4 values: true when either is, false when both are (`k4_or(0, 3)` is 1, true). NULL when either is NULL; an error for a number outside 0 to 3.",
        syntax_example = "k4_or(a, b)",
        sql_example = r#"```sql
> select k4_label(k4_or(1, 2)) as v;
+------+
| v    |
+------+
| true |
+------+
```"#,
        argument(name = "a", description = "A K4 value (0 unknown, 1 true, 2 false, 3 conflict)."),
        argument(name = "b", description = "A K4 value.")
    )]
    K4OrFunc, "k4_or", 2, DataType::UInt8, |k: &[K4]| k[0].or(k[1]), uint8_array
}
