use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
    doc_section(label = "vexlake Package URL Functions"),
    description = "The versionless, qualifier-free key of a package URL, normalized per type (PyPI names per PEP 503, case folded where the type is case-insensitive). Components and advisories join on it. NULL for a string that is not a purl.",
    syntax_example = "purl_package_key(purl)",
    sql_example = r#"```sql
> select purl_package_key('pkg:pypi/Django_REST@3.0?x=1') as k;
+----------------------+
| k                    |
+----------------------+
| pkg:pypi/django-rest |
+----------------------+
```"#,
    argument(name = "purl", description = "A package URL.")
)]
    PurlPackageKeyFunc, "purl_package_key", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(
        args,
        |p| Purl::parse(p).map(|p| p.package_key()),
        adapter::utf8_array,
    )
}
