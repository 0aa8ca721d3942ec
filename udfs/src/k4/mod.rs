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

/// A [`crate::adapter::scalar_function!`] over `arity` K4 arguments, `op` applied to their
/// values row by row and `build` making the result column.
macro_rules! k4_function {
    (
        $(#[$attr:meta])*
        $ty:ident, $name:literal, $arity:literal, $ret:expr, $op:expr, $build:expr
    ) => {
        crate::adapter::scalar_function! {
            $(#[$attr])*
            $ty, $name, $ret,
            coerce: |arg_types| crate::k4::coerce_k4($name, $arity, arg_types),
            invoke: |args| crate::k4::map_k4($name, args, $op, $build)
        }
    };
}

pub(crate) use k4_function;
