use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use datafusion_macros::user_doc;

use crate::adapter::{self, string_function};
use crate::kernels::purl::Purl;

string_function! {
    #[user_doc(
        doc_section(label = "vexlake Package URL Functions"),
        description = "Whether two package URLs agree on their qualifiers: every qualifier both carry has the same value (the deb/rpm `epoch` is compared as part of the version, not here). A qualifier only one of them carries does not disagree: a VEX statement for `?distro=debian-12` applies to a component `?arch=amd64&distro=debian-12`. NULL when either is not a valid purl.",
        syntax_example = "purl_qualifiers_agree(a, b)",
        sql_example = r#"```sql
> select purl_qualifiers_agree('pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12', 'pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12') as same, purl_qualifiers_agree('pkg:deb/debian/openssl@3.0.11-1?distro=debian-11', 'pkg:deb/debian/openssl@3.0.11-1?distro=debian-12') as other;
+------+-------+
| same | other |
+------+-------+
| true | false |
+------+-------+
```"#,
        argument(name = "a", description = "A package URL, e.g. a VEX statement's product."),
        argument(name = "b", description = "A package URL, e.g. a component's.")
    )]
    PurlQualifiersAgreeFunc, "purl_qualifiers_agree", "(a, b)", 2, DataType::Boolean,
    |args| adapter::map_str2(
        args,
        |a, b| {
            let (a, b) = (Purl::parse(a)?.normalized(), Purl::parse(b)?.normalized());
            Some(a.qualifiers.iter().all(|(k, v)| b.qualifier(k).is_none_or(|w| w == v)))
        },
        |v| Arc::new(BooleanArray::from(v)) as ArrayRef,
    )
}
