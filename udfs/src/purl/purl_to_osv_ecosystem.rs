use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
    doc_section(label = "vexlake Package URL Functions"),
    description = "The OSV ecosystem of a package URL, with the distribution release when the purl's distro qualifier tells it (Debian:12, AlmaLinux:9, Alpine:v3.18). NULL for types OSV does not cover and for strings that are not purls.",
    syntax_example = "purl_to_osv_ecosystem(purl)",
    sql_example = r#"```sql
> select purl_to_osv_ecosystem('pkg:deb/debian/openssl@3.0.11-1?distro=debian-12') as e;
+-----------+
| e         |
+-----------+
| Debian:12 |
+-----------+
```"#,
    argument(name = "purl", description = "A package URL.")
)]
    PurlToOsvEcosystemFunc, "purl_to_osv_ecosystem", "(purl)", 1, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str1(
        args,
        |p| Purl::parse(p).and_then(|p| p.osv_ecosystem()),
        adapter::utf8_array,
    )
}
