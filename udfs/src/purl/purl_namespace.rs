use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The namespace of a package URL, percent-decoded and normalized per type, its segments joined by /. NULL when the purl has none or is not a valid purl.",
        syntax_example = "purl_namespace(purl)",
        sql_example = r#"```sql
> select purl_namespace('pkg:npm/%40angular/core@12.0.0') as v;
+----------+
| v        |
+----------+
| @angular |
+----------+
```"#,
        argument(name = "purl", description = "A package URL.")
    )]
    PurlNamespaceFunc, "purl_namespace", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(
        args,
        |p| {
            let p = Purl::parse_strict(p).ok()?;
            (!p.namespace.is_empty()).then(|| p.namespace.join("/"))
        },
        adapter::utf8_array,
    )
}
