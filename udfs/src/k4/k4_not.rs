use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::{k4_function, uint8_array};
use crate::kernels::k4::K4;

k4_function! {
    #[user_doc(
        doc_section(label = "vexlake K4 Functions"),
        description = "Belnap's negation of a K4 value: true and false swap, unknown and conflict stay. NULL for NULL; an error for a number outside 0 to 3.",
        syntax_example = "k4_not(k)",
        sql_example = r#"```sql
> select k4_label(k4_not(1)) as v;
+-------+
| v     |
+-------+
| false |
+-------+
```"#,
        argument(name = "k", description = "A K4 value (0 unknown, 1 true, 2 false, 3 conflict).")
    )]
    K4NotFunc, "k4_not", 1, DataType::UInt8, |k: &[K4]| k[0].not(), uint8_array
}
