use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::cvss::base_score;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake CVSS Functions"),
        description = "The base score (0.0 to 10.0) of a CVSS vector, v2, v3.0, v3.1 or v4.0. NULL when the vector cannot be read.",
        syntax_example = "cvss_score(vector)",
        sql_example = r#"```sql
> select cvss_score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') as s;
+-----+
| s   |
+-----+
| 9.8 |
+-----+
```"#,
        argument(name = "vector", description = "A CVSS vector string.")
    )]
    CvssScoreFunc, "cvss_score", "(vector)", 1, DataType::Float64,
    |args| adapter::map_str1(args, base_score, |v| {
        Arc::new(Float64Array::from(v)) as ArrayRef
    })
}
