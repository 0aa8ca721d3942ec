use arrow::datatypes::DataType;
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::purl::Purl;

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
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct OsvPackageKeyFunc {
    signature: Signature,
}

impl Default for OsvPackageKeyFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl OsvPackageKeyFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for OsvPackageKeyFunc {
    fn name(&self) -> &str {
        "osv_package_key"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 2 {
            return plan_err!(
                "{} expects 2 argument(s), got {}",
                self.name(),
                arg_types.len()
            );
        }
        adapter::coerce_strings(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        adapter::map_str2(
            &args.args,
            |e, n| Purl::from_osv(e, n).map(|p| p.package_key()),
            adapter::utf8_array,
        )
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
