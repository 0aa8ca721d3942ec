use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array};
use arrow::datatypes::DataType;
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::cvss::base_score;

#[user_doc(
    doc_section(label = "vexlake CVSS Functions"),
    description = "The base score (0.0 to 10.0) of a CVSS vector, v2, v3.0, v3.1 or v4.0. NULL when the vector cannot be read.",
    syntax_example = "cvss_base_score(vector)",
    sql_example = r#"```sql
> select cvss_base_score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') as s;
+-----+
| s   |
+-----+
| 9.8 |
+-----+
```"#,
    argument(name = "vector", description = "A CVSS vector string.")
)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CvssBaseScoreFunc {
    signature: Signature,
}

impl Default for CvssBaseScoreFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CvssBaseScoreFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CvssBaseScoreFunc {
    fn name(&self) -> &str {
        "cvss_base_score"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() != 1 {
            return plan_err!(
                "cvss_base_score expects 1 argument, got {}",
                arg_types.len()
            );
        }
        adapter::coerce_strings(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        adapter::map_str1(&args.args, base_score, |v| {
            Arc::new(Float64Array::from(v)) as ArrayRef
        })
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
