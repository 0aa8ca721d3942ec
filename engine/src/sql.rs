//! The SQL files of `sql/`, compiled into the binary, and a runner for multi-statement text.

use std::collections::VecDeque;
use std::sync::Arc;

use arrow::array::{RecordBatch, TimestampMicrosecondArray};
use arrow::datatypes::{Field, Schema};
use chrono::{DateTime, Utc};
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{DdlStatement, LogicalPlan};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParser, Statement};
use datafusion::sql::sqlparser::dialect::GenericDialect;

use crate::error::Result;

macro_rules! sql_file {
    ($path:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../sql/", $path))
    };
}

/// Analyst views, registered in every session over the whole lake: (name, file text).
pub const VIEWS: &[(&str, &str)] = &[
    (
        "advisories_current",
        sql_file!("views/advisories_current.sql"),
    ),
    ("advisory_aliases", sql_file!("views/advisory_aliases.sql")),
    ("vex_consensus", sql_file!("views/vex_consensus.sql")),
];

/// The evaluation pipeline's first part: views over the pinned inputs and `run_context`,
/// ending in the view `eval_matches` (which a run keeps as a table).
pub const MATCHES: &str = sql_file!("matches.sql");

/// The evaluation pipeline's next part: views over `eval_matches`, the pinned inputs,
/// `run_context`, `policy_weights` and `policy_environments`, ending in the view `eval_placed`.
pub const EVALUATE: &str = sql_file!("evaluate.sql");

/// The view `finding_context` that policy rules read, over the compiled `eval_exception`.
pub const FINDING_CONTEXT: &str = sql_file!("finding_context.sql");

/// The evaluation pipeline's second part: the findings rows, from the policy's `eval_policy`.
pub const FINDINGS: &str = sql_file!("findings.sql");

/// The `evaluation.completed` event of a findings version ($1 tenant, $2 `findings@N`).
pub const RUN_RECORD: &str = sql_file!("run_record.sql");

/// What a run changed: `current_findings` against `previous_findings`, given `change_context`.
pub const FINDING_CHANGES: &str = sql_file!("finding_changes.sql");

/// A run's unknown budgets per environment, over `current_findings` and `policy_budgets`.
pub const UNKNOWN_BUDGETS: &str = sql_file!("unknown_budgets.sql");

/// The exceptions a run applied, over `current_findings`.
pub const EXCEPTIONS_APPLIED: &str = sql_file!("exceptions_applied.sql");

/// Queries of the dataset generators.
pub mod dataset {
    /// The packages the lake's advisories name, with affected and fixed versions.
    pub const FLEET_PACKAGES: &str = sql_file!("dataset/fleet_packages.sql");
    /// The advisory ids of each package key.
    pub const FLEET_ADVISORIES: &str = sql_file!("dataset/fleet_advisories.sql");
}

/// Queries behind `vexlake demo`'s summary.
pub mod demo {
    pub const BY_VERDICT: &str = sql_file!("demo/by_verdict.sql");
    pub const BY_SEVERITY: &str = sql_file!("demo/by_severity.sql");
    pub const TOP_FINDINGS: &str = sql_file!("demo/top_findings.sql");
    /// Queries the demo suggests to the user.
    pub const TRY_NEXT: &str = sql_file!("demo/try_next.sql");
}

/// Splits `text` into statements and runs each in `ctx`, returning one DataFrame per statement
/// (DDL such as `CREATE VIEW` or `CREATE EXTERNAL TABLE` is carried out and gives an empty one).
pub async fn run_script(ctx: &SessionContext, text: &str) -> Result<Vec<DataFrame>> {
    let mut out = Vec::new();
    for statement in statements(text)? {
        out.push(run_statement(ctx, statement).await?.1);
    }
    Ok(out)
}

/// The statements of `text`, in order.
pub fn statements(text: &str) -> Result<VecDeque<Statement>> {
    Ok(DFParser::parse_sql_with_dialect(text, &GenericDialect {})?)
}

/// Runs one statement of [`statements`]: the name of the view it creates, if it is a
/// `CREATE VIEW`, and its DataFrame.
pub async fn run_statement(
    ctx: &SessionContext,
    statement: Statement,
) -> Result<(Option<String>, DataFrame)> {
    let plan = ctx.state().statement_to_plan(statement).await?;
    let view = match &plan {
        LogicalPlan::Ddl(DdlStatement::CreateView(v)) => Some(v.name.table().to_string()),
        _ => None,
    };
    Ok((view, ctx.execute_logical_plan(plan).await?))
}

/// Runs `text` and returns the DataFrame of its last statement.
pub async fn run_last(ctx: &SessionContext, text: &str) -> Result<DataFrame> {
    let mut frames = run_script(ctx, text).await?;
    match frames.pop() {
        Some(df) => Ok(df),
        None => Err(datafusion::error::DataFusionError::Plan("empty SQL script".into()).into()),
    }
}

/// Registers the analyst views of [`VIEWS`], with `session_clock` (one row, `as_of`) as the
/// time they are read at: freshness in `vex_consensus` is measured up to it. Evaluation passes
/// its `--as-of`; an analyst session the time it opened.
pub async fn register_views(ctx: &SessionContext, as_of: DateTime<Utc>) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "as_of",
        crate::lake::schema::timestamp_type(),
        false,
    )]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(
            TimestampMicrosecondArray::from(vec![as_of.timestamp_micros()]).with_timezone("UTC"),
        )],
    )?;
    ctx.register_table(
        "session_clock",
        Arc::new(MemTable::try_new(schema, vec![vec![batch]])?),
    )?;
    for (_, text) in VIEWS {
        run_script(ctx, text).await?;
    }
    Ok(())
}
