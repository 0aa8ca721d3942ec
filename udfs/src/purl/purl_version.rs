use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "The version of a package URL, percent-decoded; for deb and rpm purls an epoch qualifier is folded in (epoch=1 and 1.2-3 give 1:1.2-3). NULL when the purl has no version or is not a valid purl.",
        syntax_example = "purl_version(purl)",
        sql_example = r#"```sql
> select purl_version('pkg:rpm/redhat/openssl@1.1.1k-7.el8?arch=x86_64&epoch=1') as v;
+----------------+
| v              |
+----------------+
| 1:1.1.1k-7.el8 |
+----------------+
```"#,
        argument(name = "purl", description = "A package URL.")
    )]
    PurlVersionFunc, "purl_version", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(
        args,
        |p| Purl::parse_strict(p).ok()?.full_version(),
        adapter::utf8_array,
    )
}
