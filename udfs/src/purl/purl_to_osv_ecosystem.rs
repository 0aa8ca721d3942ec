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
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PurlToOsvEcosystemFunc {
    signature: Signature,
}

impl Default for PurlToOsvEcosystemFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl PurlToOsvEcosystemFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for PurlToOsvEcosystemFunc {
    fn name(&self) -> &str {
        "purl_to_osv_ecosystem"
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
            |p| Purl::parse(p).and_then(|p| p.osv_ecosystem()),
            adapter::utf8_array,
        )
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
