use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::vers::contains;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Version Functions"),
        description = "Whether a version is in a `vers:` range (the package-url vers specification, as CycloneDX VEX writes ranges), compared under the range's scheme (semver, npm, cargo, golang, pypi, maven, deb, rpm, apk, gem, nuget, composer, ...). NULL when the range or the version cannot be read in that scheme: never guessed.",
        syntax_example = "vers_contains(range, version)",
        sql_example = r#"```sql
> select vers_contains('vers:semver/>=2.0.0|<=2.7.0', '2.7.0') as a, vers_contains('vers:deb/>=1.9|<1.11', '1.10') as b;
+------+------+
| a    | b    |
+------+------+
| true | true |
+------+------+
```"#,
        argument(name = "range", description = "A `vers:` range, e.g. `vers:npm/>=1.0.0|<2.0.0`."),
        argument(name = "version", description = "The version to test.")
    )]
    VersContainsFunc, "vers_contains", "(range, version)", 2, DataType::Boolean,
    |args| adapter::map_str2(
        args,
        contains,
        |v| Arc::new(BooleanArray::from(v)) as ArrayRef,
    )
}
