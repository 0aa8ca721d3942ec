use std::sync::Arc;

use arrow::array::{ArrayRef, Int8Array};
use arrow::datatypes::DataType;
use datafusion_expr::ColumnarValue;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::versions::{Scheme, compare};

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Version Functions"),
        description = "Compares two versions of a package in an OSV ecosystem under that ecosystem's own rules (SemVer for npm, crates.io, Go, Hex; the Swift Package Manager's Version for SwiftURL; pub_semver for Pub, where builds take part in the order; PEP 440 for PyPI; Maven's ComparableVersion; dpkg for Debian and Ubuntu; rpmvercmp for the RPM family; apk for Alpine and Wolfi; Gem::Version; NuGetVersion; CRAN; Hackage; Composer for Packagist): -1, 0 or 1. NULL when either version is not valid in that ecosystem, and for an ecosystem without a known scheme: never guessed.",
        syntax_example = "version_cmp(ecosystem, a, b)",
        sql_example = r#"```sql
> select version_cmp('Go', 'v1.2.3', 'v1.10.0') as c;
+----+
| c  |
+----+
| -1 |
+----+
```"#,
        argument(
            name = "ecosystem",
            description = "OSV ecosystem, e.g. `Go`, `PyPI`, `Debian:12`."
        ),
        argument(name = "a", description = "First version."),
        argument(name = "b", description = "Second version.")
    )]
    VersionCmpFunc, "version_cmp", "(ecosystem, a, b)", 3, DataType::Int8,
    |args| {
        let build = |v: Vec<Option<i8>>| Arc::new(Int8Array::from(v)) as ArrayRef;
        // A literal ecosystem (the common case) is resolved once for the whole batch.
        if let ColumnarValue::Scalar(eco) = &args[0] {
            let scheme = eco.try_as_str().flatten().and_then(Scheme::for_ecosystem);
            return adapter::map_str2(
                &args[1..],
                |a, b| compare(scheme?, a, b).map(|o| o as i8),
                build,
            )
            .and_then(|out| adapter::broadcast_if_scalar(out, args));
        }
        adapter::map_str3(
            args,
            |eco, a, b| compare(Scheme::for_ecosystem(eco)?, a, b).map(|o| o as i8),
            build,
        )
    }
}
