use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::versions::{Scheme, valid};

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Version Functions"),
        description = "Whether a string is a valid version in an OSV ecosystem, under that ecosystem's own rules (see version_cmp). NULL for an ecosystem without a known scheme.",
        syntax_example = "version_valid(ecosystem, version)",
        sql_example = r#"```sql
> select version_valid('npm', '1.2') as npm, version_valid('PyPI', '1.2') as pypi;
+-------+------+
| npm   | pypi |
+-------+------+
| false | true |
+-------+------+
```"#,
        argument(
            name = "ecosystem",
            description = "OSV ecosystem, e.g. `npm`, `Debian:12`."
        ),
        argument(name = "version", description = "The version string.")
    )]
    VersionValidFunc, "version_valid", "(ecosystem, version)", 2, DataType::Boolean,
    |args| adapter::map_str2(
        args,
        |eco, v| Scheme::for_ecosystem(eco).map(|s| valid(s, v)),
        |v| Arc::new(BooleanArray::from(v)) as ArrayRef,
    )
}
