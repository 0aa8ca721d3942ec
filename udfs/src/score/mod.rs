//! Scoring functions ([`crate::kernels::score`]): the evidence-weighted score `evidence_score`,
//! `confidence`, `confidence_tier` and `unknown_budget`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::{DataType, Float64Type};
use datafusion_common::{Result, exec_err, plan_err};
use datafusion_expr::{ColumnarValue, ScalarUDF};

use crate::adapter;
use crate::kernels::score::ScoreError;

pub mod confidence;
pub mod confidence_tier;
pub mod evidence_score;
pub mod unknown_budget;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(evidence_score::EvidenceScoreFunc::new())),
        Arc::new(ScalarUDF::from(confidence::ConfidenceFunc::new())),
        Arc::new(ScalarUDF::from(confidence_tier::ConfidenceTierFunc::new())),
        Arc::new(ScalarUDF::from(unknown_budget::UnknownBudgetFunc::new())),
    ]
}

/// Numeric arguments (a NULL literal too), read as Float64; `arities` are the counts allowed.
pub(crate) fn coerce_numbers(
    name: &str,
    arities: &[usize],
    args_text: &str,
    arg_types: &[DataType],
) -> Result<Vec<DataType>> {
    if !arities.contains(&arg_types.len()) {
        return plan_err!(
            "{name} expects {args_text}, got {} arguments",
            arg_types.len()
        );
    }
    arg_types
        .iter()
        .map(|t| match t {
            t if t.is_numeric() || *t == DataType::Null => Ok(DataType::Float64),
            other => plan_err!("{name} expects numbers, got {other}"),
        })
        .collect()
}

/// Applies `f` row by row over Float64 columns: a row with a NULL gives NULL; an error names the
/// function and the row's offending input.
pub(crate) fn map_rows<T>(
    name: &str,
    args: &[ColumnarValue],
    f: impl Fn(&[f64]) -> std::result::Result<T, ScoreError>,
    build: impl FnOnce(Vec<Option<T>>) -> ArrayRef,
) -> Result<ColumnarValue> {
    let (arrays, scalar) = adapter::to_arrays(args)?;
    let columns: Vec<&Float64Array> = arrays
        .iter()
        .map(|a| a.as_primitive::<Float64Type>())
        .collect();
    let rows = columns.first().map_or(0, |c| c.len());
    let mut row = vec![0.0; columns.len()];
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        if columns.iter().any(|c| c.is_null(i)) {
            out.push(None);
            continue;
        }
        for (v, c) in row.iter_mut().zip(&columns) {
            *v = c.value(i);
        }
        match f(&row) {
            Ok(v) => out.push(Some(v)),
            Err(e) => return exec_err!("{name}: {e}"),
        }
    }
    adapter::finish(build(out), scalar)
}
