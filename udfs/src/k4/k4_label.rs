use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use super::k4_function;
use crate::kernels::k4::K4;

k4_function! {
    #[user_doc(
        doc_section(label = "vexlake K4 Functions"),
        description = "The name of a K4 value: `unknown` (0), `true` (1), `false` (2) or `conflict` (3). NULL for NULL; an error for a number outside 0 to 3.",
        syntax_example = "k4_label(k)",
        sql_example = r#"```sql
> select k4_label(3) as v;
+----------+
| v        |
+----------+
| conflict |
+----------+
```"#,
        argument(name = "k", description = "A K4 value (0 unknown, 1 true, 2 false, 3 conflict).")
    )]
    K4LabelFunc, "k4_label", 1, DataType::Utf8, |k: &[K4]| k[0].label(),
    |v: Vec<Option<&'static str>>| Arc::new(StringArray::from(v)) as ArrayRef
}
