use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Float64Type};
use datafusion_common::{Result, plan_err};
use datafusion_expr::{
    ColumnarValue, Documentation, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use datafusion_macros::user_doc;

use crate::adapter;
use crate::kernels::cvss::severity;

#[user_doc(
    doc_section(label = "vexlake CVSS Functions"),
    description = "The qualitative severity of a CVSS base score, as the CVSS v3.1 and v4.0 specifications rate it: `NONE` (0.0), `LOW` (0.1 to 3.9), `MEDIUM` (4.0 to 6.9), `HIGH` (7.0 to 8.9), `CRITICAL` (9.0 to 10.0). NULL for NULL and for a number outside 0 to 10.",
    syntax_example = "cvss_severity(score)",
    sql_example = r#"```sql
> select cvss_severity(cvss_score('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N')) as s;
+------+
| s    |
+------+
| HIGH |
+------+
```"#,
    argument(name = "score", description = "A CVSS base score, 0.0 to 10.0.")
)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CvssSeverityFunc {
    signature: Signature,
}

impl Default for CvssSeverityFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl CvssSeverityFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CvssSeverityFunc {
    fn name(&self) -> &str {
        "cvss_severity"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] if t.is_numeric() || *t == DataType::Null => Ok(vec![DataType::Float64]),
            [t] => plan_err!("cvss_severity expects a numeric score, got {t}"),
            _ => plan_err!(
                "cvss_severity expects 1 argument (score), got {}",
                arg_types.len()
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (arrays, scalar) = adapter::to_arrays(&args.args)?;
        let scores = arrays[0].as_primitive::<Float64Type>();
        let out: StringArray = (0..scores.len())
            .map(|i| {
                scores
                    .is_valid(i)
                    .then(|| severity(scores.value(i)))
                    .flatten()
            })
            .collect();
        adapter::finish(Arc::new(out) as ArrayRef, scalar)
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}
