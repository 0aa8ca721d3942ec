use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray};
use arrow::datatypes::DataType;
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::versions::{Scheme, valid};

#[user_doc(
    doc_section(label = "vexlake Version Functions"),
    description = "Whether a string is a valid version in an OSV ecosystem, under that ecosystem's own rules (see version_cmp). NULL for an ecosystem without a known scheme.",
    syntax_example = "version_valid(ecosystem, version)",
    sql_example = r#"```sql
> select version_valid('npm', '1.2') as npm, version_valid('PyPI', '1.2') as pypi;
+-------+------+
| npm   | pypi |
+-------+------+
| false | true |
+-------+------+
```"#,
    argument(
        name = "ecosystem",
        description = "OSV ecosystem, e.g. `npm`, `Debian:12`."
    ),
    argument(name = "version", description = "The version string.")
)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct VersionValidFunc {
    signature: Signature,
}

impl Default for VersionValidFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl VersionValidFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for VersionValidFunc {
    fn name(&self) -> &str {
        "version_valid"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 2 {
            return plan_err!(
                "version_valid expects 2 arguments (ecosystem, version), got {}",
                arg_types.len()
            );
        }
        adapter::coerce_strings(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        adapter::map_str2(
            &args.args,
            |eco, v| Scheme::for_ecosystem(eco).map(|s| valid(s, v)),
            |v| Arc::new(BooleanArray::from(v)) as ArrayRef,
        )
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
