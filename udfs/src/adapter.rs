//! Shared plumbing between Arrow arrays and the plain-Rust kernels.
//!
//! String arguments are coerced to `Utf8` by each function's `coerce_types`, so the adapters
//! only ever see `StringArray`s; a row with a NULL input gives a NULL output.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::DataType;
use datafusion_common::{Result, ScalarValue, plan_err};
use datafusion_expr::ColumnarValue;

/// Coerces every argument to `Utf8`, refusing types that are not strings (or NULL).
pub(crate) fn coerce_strings(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    arg_types
        .iter()
        .map(|t| match t {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
                Ok(DataType::Utf8)
            }
            other => plan_err!("{name} expects string arguments, got {other}"),
        })
        .collect()
}

/// Turns the arguments into arrays of equal length; `scalar` is true when all were scalars,
/// so that the result can be handed back as a scalar too.
pub(crate) fn to_arrays(args: &[ColumnarValue]) -> Result<(Vec<ArrayRef>, bool)> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    Ok((ColumnarValue::values_to_arrays(args)?, scalar))
}

/// Wraps an output array as the function's result (a scalar when every input was one).
pub(crate) fn finish(array: ArrayRef, scalar: bool) -> Result<ColumnarValue> {
    if scalar {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &array, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(array))
    }
}

/// The string view of a coerced argument.
pub(crate) fn strings(array: &ArrayRef) -> &StringArray {
    array.as_string::<i32>()
}

/// Applies `f` row by row over one string column.
pub(crate) fn map_str1<T>(
    args: &[ColumnarValue],
    f: impl Fn(&str) -> Option<T>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = to_arrays(args)?;
    let a = strings(&arrays[0]);
    let out = (0..a.len())
        .map(|i| if a.is_null(i) { None } else { f(a.value(i)) })
        .collect();
    finish(build(out), scalar)
}

/// Applies `f` row by row over two string columns.
pub(crate) fn map_str2<T>(
    args: &[ColumnarValue],
    f: impl Fn(&str, &str) -> Option<T>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = to_arrays(args)?;
    let (a, b) = (strings(&arrays[0]), strings(&arrays[1]));
    let out = (0..a.len())
        .map(|i| {
            if a.is_null(i) || b.is_null(i) {
                None
            } else {
                f(a.value(i), b.value(i))
            }
        })
        .collect();
    finish(build(out), scalar)
}

/// Applies `f` row by row over three string columns.
pub(crate) fn map_str3<T>(
    args: &[ColumnarValue],
    f: impl Fn(&str, &str, &str) -> Option<T>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = to_arrays(args)?;
    let (a, b, c) = (
        strings(&arrays[0]),
        strings(&arrays[1]),
        strings(&arrays[2]),
    );
    let out = (0..a.len())
        .map(|i| {
            if a.is_null(i) || b.is_null(i) || c.is_null(i) {
                None
            } else {
                f(a.value(i), b.value(i), c.value(i))
            }
        })
        .collect();
    finish(build(out), scalar)
}

/// After a fast path that left out a scalar argument: a scalar result when every argument was
/// a scalar, else the array as it is.
pub(crate) fn broadcast_if_scalar(
    out: ColumnarValue,
    all_args: &[ColumnarValue],
) -> Result<ColumnarValue> {
    let all_scalar = all_args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    match out {
        ColumnarValue::Array(a) if all_scalar && a.len() == 1 => {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&a, 0)?))
        }
        other => Ok(other),
    }
}

pub(crate) fn utf8_array(values: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(values))
}
