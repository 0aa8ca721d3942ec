use std::sync::Arc;

use arrow::array::{ArrayRef, UInt8Array};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::k4::K4;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake K4 Functions"),
        description = "The K4 value of a VEX status: `affected` is 1 (true), `not_affected` and `fixed` are 2 (false), `under_investigation` is 0 (unknown). Case, `-` and spaces do not matter. NULL for any other text.",
        syntax_example = "k4_from_vex(status)",
        sql_example = r#"```sql
> select k4_label(k4_join(k4_from_vex(s))) as v from (values ('affected'), ('not_affected')) t(s);
+----------+
| v        |
+----------+
| conflict |
+----------+
```"#,
        argument(name = "status", description = "A VEX status.")
    )]
    K4FromVexFunc, "k4_from_vex", "(status)", 1, DataType::UInt8,
    |args| adapter::map_str1(args, |s| K4::from_vex(s).map(K4::bits), |v| {
        Arc::new(UInt8Array::from(v)) as ArrayRef
    })
}
