use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The canonical form of a package URL under the purl specification: type and qualifier keys lower case, case folded and names normalized per type (PyPI _ as -), percent-encoding made canonical, qualifiers sorted, empty ones and subpath dots dropped; for deb and rpm an epoch qualifier folded into the version. NULL for a string that is not a valid purl.",
        syntax_example = "purl_normalize(purl)",
        sql_example = r#"```sql
> select purl_normalize('pkg:PYPI/Django_Allauth@0.1?B=2&a=1') as v;
+-------------------------------------+
| v                                   |
+-------------------------------------+
| pkg:pypi/django-allauth@0.1?a=1&b=2 |
+-------------------------------------+
```"#,
        argument(name = "purl", description = "A package URL.")
    )]
    PurlNormalizeFunc, "purl_normalize", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(
        args,
        |p| Purl::parse_strict(p).ok().map(|p| p.normalized().canonical()),
        adapter::utf8_array,
    )
}
