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
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PurlPackageKeyFunc {
    signature: Signature,
}

impl Default for PurlPackageKeyFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl PurlPackageKeyFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for PurlPackageKeyFunc {
    fn name(&self) -> &str {
        "purl_package_key"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 1 {
            return plan_err!(
                "{} expects 1 argument(s), got {}",
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
        adapter::map_str1(
            &args.args,
            |p| Purl::parse(p).map(|p| p.package_key()),
            adapter::utf8_array,
        )
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
