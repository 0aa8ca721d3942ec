use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The value of one qualifier of a package URL, percent-decoded (keys are case-insensitive). NULL when the purl does not have it or is not a valid purl.",
        syntax_example = "purl_qualifier(purl, key)",
        sql_example = r#"```sql
> select purl_qualifier('pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12', 'distro') as v;
+-----------+
| v         |
+-----------+
| debian-12 |
+-----------+
```"#,
        argument(name = "purl", description = "A package URL."),
    argument(name = "key", description = "A qualifier key, such as arch, distro or epoch.")
    )]
    PurlQualifierFunc, "purl_qualifier", "(purl, key)", 2, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str2(
        args,
        |p, key| {
            let p = Purl::parse_strict(p).ok()?;
            p.qualifier(&key.to_ascii_lowercase()).map(str::to_string)
        },
        adapter::utf8_array,
    )
}
