//! K4 functions (Belnap's four-valued logic, [`crate::kernels::k4`]): `k4_from_vex`,
//! `k4_label`, `k4_meet`, `k4_and`, `k4_or`, `k4_not`, and the aggregate `k4_join`. A K4 value
//! in SQL is a UInt8: Unknown 0, True 1, False 2, Conflict 3.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::{DataType, Int64Type};
use datafusion_common::{Result, exec_err, plan_err};
use datafusion_expr::{AggregateUDF, ColumnarValue, ScalarUDF};

use crate::adapter;
use crate::kernels::k4::K4;

pub mod k4_and;
pub mod k4_from_vex;
pub mod k4_join;
pub mod k4_label;
pub mod k4_meet;
pub mod k4_not;
pub mod k4_or;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(k4_from_vex::K4FromVexFunc::new())),
        Arc::new(ScalarUDF::from(k4_label::K4LabelFunc::new())),
        Arc::new(ScalarUDF::from(k4_meet::K4MeetFunc::new())),
        Arc::new(ScalarUDF::from(k4_and::K4AndFunc::new())),
        Arc::new(ScalarUDF::from(k4_or::K4OrFunc::new())),
        Arc::new(ScalarUDF::from(k4_not::K4NotFunc::new())),
    ]
}

pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![Arc::new(AggregateUDF::from(k4_join::K4JoinFunc::new()))]
}

/// Accepts integer arguments (a NULL literal too), read as Int64.
pub(crate) fn coerce_k4(name: &str, arity: usize, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    if arg_types.len() != arity {
        return plan_err!(
            "{name} expects {arity} K4 value{}, got {} arguments",
            if arity == 1 { "" } else { "s" },
            arg_types.len()
        );
    }
    arg_types
        .iter()
        .map(|t| match t {
            t if t.is_integer() || *t == DataType::Null => Ok(DataType::Int64),
            other => plan_err!(
                "{name} expects K4 values (integers 0 to 3: unknown, true, false, conflict), got {other}"
            ),
        })
        .collect()
}

/// Row `i` of a K4 column: `None` when NULL, an error outside 0 to 3.
pub(crate) fn k4_at(name: &str, column: &Int64Array, i: usize) -> Result<Option<K4>> {
    if column.is_null(i) {
        return Ok(None);
    }
    let v = column.value(i);
    match u8::try_from(v).ok().and_then(K4::from_bits) {
        Some(k) => Ok(Some(k)),
        None => exec_err!("{name}: {v} is not a K4 value (0 unknown, 1 true, 2 false, 3 conflict)"),
    }
}

/// Applies `op` row by row over K4 arguments (NULL in, NULL out).
pub(crate) fn map_k4<T>(
    name: &str,
    args: &[ColumnarValue],
    op: impl Fn(&[K4]) -> T,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = adapter::to_arrays(args)?;
    let columns: Vec<&Int64Array> = arrays
        .iter()
        .map(|a| a.as_primitive::<Int64Type>())
        .collect();
    let rows = columns.first().map_or(0, |c| c.len());
    let mut out = Vec::with_capacity(rows);
    let mut values = Vec::with_capacity(columns.len());
    for i in 0..rows {
        values.clear();
        for c in &columns {
            match k4_at(name, c, i)? {
                Some(k) => values.push(k),
                None => break,
            }
        }
        out.push((values.len() == columns.len()).then(|| op(&values)));
    }
    adapter::finish(build(out), scalar)
}

pub(crate) fn uint8_array(values: Vec<Option<K4>>) -> ArrayRef {
    Arc::new(arrow::array::UInt8Array::from_iter(
        values.into_iter().map(|k| k.map(K4::bits)),
    ))
}

/// Defines a SQL function over K4 arguments: the struct (documented by the `#[user_doc]` given),
/// its signature, its coercion (`arity` K4 values), its return type and `op` on the values.
macro_rules! k4_function {
    (
        $(#[$attr:meta])*
        $ty:ident, $name:literal, $arity:literal, $ret:expr, $op:expr, $build:expr
    ) => {
        $(#[$attr])*
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub struct $ty {
            signature: datafusion_expr::Signature,
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $ty {
            pub fn new() -> Self {
                Self {
                    signature: datafusion_expr::Signature::user_defined(
                        datafusion_expr::Volatility::Immutable,
                    ),
                }
            }
        }

        impl datafusion_expr::ScalarUDFImpl for $ty {
            fn name(&self) -> &str {
                $name
            }

            fn signature(&self) -> &datafusion_expr::Signature {
                &self.signature
            }

            fn coerce_types(
                &self,
                arg_types: &[arrow::datatypes::DataType],
            ) -> datafusion_common::Result<Vec<arrow::datatypes::DataType>> {
                crate::k4::coerce_k4($name, $arity, arg_types)
            }

            fn return_type(
                &self,
                _arg_types: &[arrow::datatypes::DataType],
            ) -> datafusion_common::Result<arrow::datatypes::DataType> {
                Ok($ret)
            }

            fn invoke_with_args(
                &self,
                args: datafusion_expr::ScalarFunctionArgs,
            ) -> datafusion_common::Result<datafusion_expr::ColumnarValue> {
                crate::k4::map_k4($name, &args.args, $op, $build)
            }

            fn documentation(&self) -> Option<&datafusion_expr::Documentation> {
                self.doc()
            }
        }
    };
}

pub(crate) use k4_function;
