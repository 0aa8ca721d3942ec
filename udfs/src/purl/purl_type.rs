use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The type of a package URL, lower case (npm, maven, deb, ...). NULL for a string that is not a valid purl under the purl specification.",
        syntax_example = "purl_type(purl)",
        sql_example = r#"```sql
> select purl_type('pkg:Maven/org.apache.commons/io@1.3.4') as v;
+-------+
| v     |
+-------+
| maven |
+-------+
```"#,
        argument(name = "purl", description = "A package URL.")
    )]
    PurlTypeFunc, "purl_type", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(args, |p| Purl::parse_strict(p).ok().map(|p| p.ty), adapter::utf8_array)
}
