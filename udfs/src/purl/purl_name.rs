use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The name of a package URL, percent-decoded and normalized per type (PyPI: lower case, _ as -). NULL for a string that is not a valid purl.",
        syntax_example = "purl_name(purl)",
        sql_example = r#"```sql
> select purl_name('pkg:pypi/Django_Allauth@0.1') as v;
+----------------+
| v              |
+----------------+
| django-allauth |
+----------------+
```"#,
        argument(name = "purl", description = "A package URL.")
    )]
    PurlNameFunc, "purl_name", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(args, |p| Purl::parse_strict(p).ok().map(|p| p.name), adapter::utf8_array)
}
