//! Shared plumbing between Arrow arrays and the plain-Rust kernels.
//!
//! String arguments are read in whichever of Arrow's string types they come (`Utf8`,
//! `LargeUtf8`, `Utf8View`), without a cast or a copy; a row with a NULL input gives a NULL
//! output.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, LargeStringArray, StringArray, StringViewArray};
use arrow::datatypes::DataType;
use datafusion_common::{Result, ScalarValue, internal_err, plan_err};
use datafusion_expr::ColumnarValue;

/// Keeps string arguments as they are (a NULL literal becomes `Utf8`), refusing other types.
pub(crate) fn coerce_strings(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    arg_types
        .iter()
        .map(|t| match t {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(t.clone()),
            DataType::Null => Ok(DataType::Utf8),
            other if other.is_numeric() => plan_err!(
                "{name} expects string arguments, got {other}: text read as numbers has lost \
                 digits (version 1.10 becomes 1.1, 01 becomes 1); declare the column as text, \
                 for a CSV file with CREATE EXTERNAL TABLE t (a VARCHAR, ...) STORED AS CSV"
            ),
            other => plan_err!("{name} expects string arguments, got {other}"),
        })
        .collect()
}

/// A string column of any of Arrow's string types, read in place.
pub(crate) enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    pub(crate) fn of(array: &'a ArrayRef) -> Result<Strings<'a>> {
        Ok(match array.data_type() {
            DataType::Utf8 => Strings::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => Strings::Large(array.as_string::<i64>()),
            DataType::Utf8View => Strings::View(array.as_string_view()),
            other => return internal_err!("expected a string column, got {other}"),
        })
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Strings::Utf8(a) => a.len(),
            Strings::Large(a) => a.len(),
            Strings::View(a) => a.len(),
        }
    }

    /// Row `i`, or `None` when it is NULL.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
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

/// Applies `f` row by row over one string column.
pub(crate) fn map_str1<T>(
    args: &[ColumnarValue],
    f: impl Fn(&str) -> Option<T>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = to_arrays(args)?;
    let a = Strings::of(&arrays[0])?;
    let out = (0..a.len()).map(|i| f(a.get(i)?)).collect();
    finish(build(out), scalar)
}

/// Applies `f` row by row over two string columns.
pub(crate) fn map_str2<T>(
    args: &[ColumnarValue],
    f: impl Fn(&str, &str) -> Option<T>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = to_arrays(args)?;
    let (a, b) = (Strings::of(&arrays[0])?, Strings::of(&arrays[1])?);
    let out = (0..a.len()).map(|i| f(a.get(i)?, b.get(i)?)).collect();
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
        Strings::of(&arrays[0])?,
        Strings::of(&arrays[1])?,
        Strings::of(&arrays[2])?,
    );
    let out = (0..a.len())
        .map(|i| f(a.get(i)?, b.get(i)?, c.get(i)?))
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

/// Defines a scalar SQL function: the struct (documented by the `#[user_doc]` given), its
/// user-defined signature, its coercion (`coerce`, given the argument types), its return type and
/// `invoke` as the body (given the argument values).
macro_rules! scalar_function {
    (
        $(#[$attr:meta])*
        $ty:ident, $name:literal, $ret:expr,
        coerce: |$types:ident| $coerce:expr,
        invoke: |$args:ident| $invoke:expr
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
                $types: &[arrow::datatypes::DataType],
            ) -> datafusion_common::Result<Vec<arrow::datatypes::DataType>> {
                $coerce
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
                let $args = &args.args;
                $invoke
            }

            fn documentation(&self) -> Option<&datafusion_expr::Documentation> {
                self.doc()
            }
        }
    };
}
pub(crate) use scalar_function;

/// `arity` string arguments, described by `args_text` in errors.
pub(crate) fn coerce_string_args(
    name: &str,
    arity: usize,
    args_text: &str,
    arg_types: &[DataType],
) -> Result<Vec<DataType>> {
    if arg_types.len() != arity {
        return plan_err!(
            "{name} expects {arity} argument{} {args_text}, got {}",
            if arity == 1 { "" } else { "s" },
            arg_types.len()
        );
    }
    coerce_strings(name, arg_types)
}

/// A [`scalar_function!`] over `arity` string arguments (described by `args` in errors).
macro_rules! string_function {
    (
        $(#[$attr:meta])*
        $ty:ident, $name:literal, $args_text:literal, $arity:literal, $ret:expr,
        |$args:ident| $invoke:expr
    ) => {
        crate::adapter::scalar_function! {
            $(#[$attr])*
            $ty, $name, $ret,
            coerce: |arg_types| crate::adapter::coerce_string_args($name, $arity, $args_text, arg_types),
            invoke: |$args| $invoke
        }
    };
}
pub(crate) use string_function;
