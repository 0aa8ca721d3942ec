use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
    doc_section(label = "vexlake Package URL Functions"),
    description = "The package key (as purl_package_key gives it) of package name in an OSV ecosystem, e.g. a Maven group:artifact or a Go module path. NULL for ecosystems without a purl type.",
    syntax_example = "osv_package_key(ecosystem, name)",
    sql_example = r#"```sql
> select osv_package_key('Maven', 'com.fasterxml.jackson.core:jackson-databind') as k;
+-------------------------------------------------------+
| k                                                     |
+-------------------------------------------------------+
| pkg:maven/com.fasterxml.jackson.core/jackson-databind |
+-------------------------------------------------------+
```"#,
    argument(
        name = "ecosystem",
        description = "OSV ecosystem, e.g. `Maven`, `Go`, `Debian:12`."
    ),
    argument(name = "name", description = "Package name as the advisory gives it.")
)]
    OsvPackageKeyFunc, "osv_package_key", "(ecosystem, name)", 2, arrow::datatypes::DataType::Utf8,
    |args| adapter::map_str2(
        args,
        |e, n| Purl::from_osv(e, n).map(|p| p.package_key()),
        adapter::utf8_array,
    )
}
