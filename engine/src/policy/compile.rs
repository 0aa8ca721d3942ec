//! The compiler: a policy's rules and exceptions as generated SQL, its actions, exceptions,
//! environments, budgets and weights as data.
//!
//! Each rule's `when` is parsed as one SQL expression (a statement, or text after the
//! expression, is an error) and written back from its syntax tree; the rules become one
//! ordered first-match CASE giving the index of the rule that decides, in the view
//! `eval_policy`, beside `matched_rules`, the ids of every rule whose condition holds. What
//! each rule does is the table `policy_rules` (index 0: no rule matched). Exceptions become a
//! CASE of their scopes in rank order (most specific, then newest, then id) in the view
//! `eval_exception`, whose index joins the table `policy_exceptions`: a ranked join. The
//! weights are the one-row table `policy_weights`; environments and unknown budgets the tables
//! `policy_environments` and `policy_budgets`, which `sql/evaluate.sql` and `sql/findings.sql`
//! join. Values enter the SQL as literals quoted by the SQL library; no SQL is written by hand.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, ListBuilder, RecordBatch, StringArray,
    StringBuilder, StructArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Fields, Schema};
use datafusion::datasource::MemTable;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{DataFrame, SessionContext};
use datafusion::sql::sqlparser::ast::Value;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::Token;

use vexlake_udfs::kernels::purl::Purl;

use super::{Loaded, Policy, exceptions};
use crate::error::{EngineError, Result};
use crate::slot::Slot;
use crate::sql;

/// The head of the generated view `eval_policy`; the rules' CASE follows it.
const FRAME_HEAD: &str = "CREATE OR REPLACE VIEW eval_policy AS\nSELECT c.*, p.rule, p.rule_verdict, p.rule_severity, p.escalate,\n       p.annotations, p.warning, p.default_verdict\nFROM policy_rules p\nJOIN (\n    SELECT f.*,\n"; // sql-ok: the generator's own frame

/// The head of the generated view `eval_exception`; the exceptions' CASE follows it.
const EXCEPTION_FRAME_HEAD: &str = "CREATE OR REPLACE VIEW eval_exception AS\nSELECT f.* EXCLUDE (exception_index), x.exception_id, x.exception\nFROM policy_exceptions x\nJOIN (\n    SELECT f.*,\n"; // sql-ok: the generator's own frame

/// The tail of the generated view `eval_exception`, after the exception index.
/// (`run_context`, one row, and the exceptions stand first: a join holds its first side in
/// memory while the findings stream past it.)
const EXCEPTION_FRAME_TAIL: &str = "    FROM run_context r\n    CROSS JOIN eval_placed f\n) f ON f.exception_index = x.exception_index;\n"; // sql-ok: the generator's own frame

/// The tail of the generated view, after the rule index (the rules stand first, as above).
const FRAME_TAIL: &str = "    FROM finding_context f\n) c ON c.rule_index = p.rule_index;\n";

/// A rule's condition, parsed and written back as SQL.
fn condition(when: &str) -> std::result::Result<String, String> {
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(when)
        .map_err(|e| e.to_string())?;
    let expr = parser.parse_expr().map_err(|e| e.to_string())?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "one SQL expression expected, found more after it: {} at {}",
            next.token, next.span.start
        ));
    }
    Ok(expr.to_string())
}

fn rule_error(loaded: &Loaded, index: usize, msg: impl std::fmt::Display) -> EngineError {
    let rule = &loaded.policy.rules[index];
    let at = loaded.places.get(index).cloned().unwrap_or_default();
    EngineError::Config(format!(
        "{at}: rule {:?}: when `{}`: {msg}",
        rule.id, rule.when
    ))
}

/// The SQL of the view `eval_policy` (over `finding_context` and `policy_rules`).
pub fn policy_sql(loaded: &Loaded) -> Result<String> {
    let policy = &loaded.policy;
    let mut sql = String::from("-- Generated from policy ");
    sql.push_str(&format!(
        "{:?} version {:?} (hash {}): the first rule that matches decides.\n",
        policy.id,
        policy.version,
        policy.hash()
    ));
    sql.push_str(FRAME_HEAD);
    // Every rule whose condition holds, in the order tried (for the trace): a list of their ids
    // with the NULLs of those that do not hold taken out.
    const NO_RULE: &str = "make_array(CAST(NULL AS VARCHAR))"; // sql-ok: the generator's own frame
    if policy.rules.is_empty() {
        sql.push_str("           0 AS rule_index,  -- no rules: the default verdict\n");
        sql.push_str(&format!(
            "           array_except({NO_RULE}, {NO_RULE}) AS matched_rules\n"
        ));
        sql.push_str(FRAME_TAIL);
        return Ok(sql);
    }
    let rules = policy
        .ordered_rules()
        .into_iter()
        .map(|(i, rule)| {
            Ok((
                condition(&rule.when).map_err(|e| rule_error(loaded, i, e))?,
                rule,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    sql.push_str("           CASE\n");
    for (n, (cond, rule)) in rules.iter().enumerate() {
        sql.push_str(&format!(
            "             WHEN ({cond}) THEN {}  -- {}\n",
            n + 1,
            rule.id.replace(['\n', '\r'], " ")
        ));
    }
    sql.push_str("             ELSE 0\n           END AS rule_index,\n");
    sql.push_str("           array_except(make_array(\n");
    for (n, (cond, rule)) in rules.iter().enumerate() {
        let id = Value::SingleQuotedString(rule.id.clone());
        let comma = if n + 1 < rules.len() { "," } else { "" };
        sql.push_str(&format!(
            "             CASE WHEN ({cond}) THEN {id} END{comma}\n"
        ));
    }
    sql.push_str(&format!("           ), {NO_RULE}) AS matched_rules\n"));
    sql.push_str(FRAME_TAIL);
    Ok(sql)
}

/// A text column of an index table: row 0 is NULL (nothing matched), row n is `f` of the n-th
/// item.
fn indexed_text<T>(items: &[T], f: impl Fn(&T) -> Option<String>) -> ArrayRef {
    Arc::new(
        std::iter::once(None)
            .chain(items.iter().map(f))
            .collect::<StringArray>(),
    )
}

/// `policy_rules`: what each rule does, by its place in the CASE (0: none matched).
fn rules_table(policy: &Policy) -> Result<MemTable> {
    let rules = policy.ordered_rules();
    let n = rules.len() + 1;
    let text = |f: &dyn Fn(&super::Rule) -> Option<String>| indexed_text(&rules, |(_, r)| f(r));
    let mut annotations = ListBuilder::new(StringBuilder::new());
    annotations.append(true);
    for (_, r) in &rules {
        for (k, v) in &r.annotate {
            annotations.values().append_value(format!("{k}={v}"));
        }
        annotations.append(true);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("rule_index", DataType::Int64, false),
        Field::new("rule", DataType::Utf8, true),
        Field::new("rule_verdict", DataType::Utf8, true),
        Field::new("rule_severity", DataType::Utf8, true),
        Field::new("escalate", DataType::Boolean, false),
        Field::new(
            "annotations",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            true,
        ),
        Field::new("warning", DataType::Utf8, true),
        Field::new("default_verdict", DataType::Utf8, false),
    ]));
    let mut escalate = vec![false];
    escalate.extend(rules.iter().map(|(_, r)| r.escalate));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..n as i64)),
            text(&|r| Some(r.id.clone())),
            text(&|r| r.verdict.clone()),
            text(&|r| r.severity.clone()),
            Arc::new(BooleanArray::from(escalate)),
            Arc::new(annotations.finish()),
            text(&|r| r.warn.clone()),
            Arc::new(StringArray::from(vec![policy.defaults.verdict.clone(); n])),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// `policy_weights`: one row of the score and confidence weights.
fn weights_table(policy: &Policy) -> Result<MemTable> {
    let (s, c) = (&policy.weights.score, &policy.weights.confidence);
    let columns = [
        ("score_severity", s.severity),
        ("score_trust", s.trust),
        ("score_reachability", s.reachability),
        ("score_runtime", s.runtime),
        ("confidence_reachability", c.reachability),
        ("confidence_runtime", c.runtime),
        ("confidence_vex", c.vex),
        ("confidence_provenance", c.provenance),
        ("confidence_policy", c.policy),
    ];
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, _)| Field::new(*name, DataType::Float64, false))
            .collect::<Vec<_>>(),
    ));
    let arrays: Vec<ArrayRef> = columns
        .iter()
        .map(|(_, v)| Arc::new(Float64Array::from(vec![*v])) as ArrayRef)
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// `policy_environments`: the environments in file order, patterns as regular expressions.
fn environments_table(policy: &Policy) -> Result<MemTable> {
    let envs = &policy.environments;
    let schema = Arc::new(Schema::new(vec![
        Field::new("position", DataType::Int64, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("repository_regex", DataType::Utf8, true),
        Field::new("label_regex", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..envs.len() as i64)),
            Arc::new(StringArray::from_iter_values(envs.iter().map(|e| &e.name))),
            Arc::new(StringArray::from_iter(
                envs.iter()
                    .map(|e| e.repository.as_deref().map(exceptions::glob_regex)),
            )),
            Arc::new(StringArray::from_iter(
                envs.iter()
                    .map(|e| e.label.as_deref().map(exceptions::label_regex)),
            )),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// `policy_budgets`: the unknown budget of each environment that has one.
fn budgets_table(policy: &Policy) -> Result<MemTable> {
    let budgets = &policy.budgets;
    let schema = Arc::new(Schema::new(vec![
        Field::new("environment", DataType::Utf8, false),
        Field::new("max_unknown", DataType::Int64, false),
        Field::new("warn_threshold", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(budgets.keys())),
            Arc::new(Int64Array::from_iter_values(
                budgets
                    .values()
                    .map(|b| i64::try_from(b.max_unknown).unwrap_or(i64::MAX)),
            )),
            Arc::new(Float64Array::from_iter_values(
                budgets.values().map(|b| b.warn_threshold),
            )),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// `policy_exceptions`: row 0 is "no exception"; row n is the n-th exception in rank order
/// (the index the generated CASE of `eval_exception` gives), with the whole exception as a
/// struct for the findings and their trace.
fn exceptions_table(policy: &Policy) -> Result<MemTable> {
    let ranked = exceptions::ranked(&policy.exceptions);
    let n = ranked.len() + 1;
    let text =
        |f: &dyn Fn(&exceptions::Exception) -> Option<String>| indexed_text(&ranked, |x| f(x));
    let stamp = |f: &dyn Fn(&exceptions::Exception) -> Option<&exceptions::Stamp>| -> ArrayRef {
        let mut v = vec![None];
        v.extend(ranked.iter().map(|x| f(x).map(|s| s.micros())));
        Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC"))
    };
    let time = |name: &str| Field::new(name, crate::lake::schema::timestamp_type(), true);
    let fields = Fields::from(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("effect", DataType::Utf8, true),
        Field::new("severity", DataType::Utf8, true),
        Field::new("control", DataType::Utf8, true),
        time("until"),
        Field::new("scope", DataType::Utf8, true),
        Field::new("owner", DataType::Utf8, true),
        Field::new("reason", DataType::Utf8, true),
        time("created"),
        time("expires"),
    ]);
    let mut present = vec![false];
    present.extend(std::iter::repeat_n(true, ranked.len()));
    let exception = StructArray::try_new(
        fields.clone(),
        vec![
            text(&|x| Some(x.id.clone())),
            text(&|x| Some(x.effect.clone())),
            text(&|x| x.severity.clone()),
            text(&|x| x.control.clone()),
            stamp(&|x| x.until.as_ref()),
            text(&|x| Some(x.scope.describe())),
            text(&|x| Some(x.owner.clone())),
            text(&|x| Some(x.reason.clone())),
            stamp(&|x| x.created.as_ref()),
            stamp(&|x| x.expires.as_ref()),
        ],
        Some(present.into()),
    )?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("exception_index", DataType::Int64, false),
        Field::new("exception_id", DataType::Utf8, true),
        Field::new("exception", DataType::Struct(fields), true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(0..n as i64)),
            text(&|x| Some(x.id.clone())),
            Arc::new(exception),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// A text as a SQL string literal (quoted by the SQL library).
fn literal(text: &str) -> String {
    Value::SingleQuotedString(text.to_string()).to_string()
}

/// The condition under which exception `x` holds a finding context row `f` at the run's clock
/// `r.evaluated_at`: every field of its scope matches, and it is in force.
fn exception_condition(x: &exceptions::Exception) -> String {
    let scope = &x.scope;
    let mut parts = Vec::new();
    if let Some(t) = &scope.tenant {
        parts.push(format!("f.tenant = {}", literal(t)));
    }
    if let Some(d) = &scope.image_digest {
        parts.push(format!("f.image_digest = {}", literal(d)));
    }
    if let Some(r) = &scope.repository {
        parts.push(format!(
            "coalesce(regexp_like(f.repository, {}), false)",
            literal(&exceptions::glob_regex(r))
        ));
    }
    if let Some(p) = scope.purl.as_deref().and_then(Purl::parse) {
        parts.push(format!("f.package_key = {}", literal(&p.package_key())));
        if let Some(v) = p.full_version() {
            let v = literal(&v);
            parts.push(format!(
                "(f.version = {v} OR coalesce(version_cmp(f.ecosystem, {v}, f.version) = 0, false))"
            ));
        }
    }
    if let Some(v) = &scope.vulnerability {
        let v = literal(v);
        parts.push(format!(
            "(f.advisory_id = {v} OR coalesce(array_has(f.aliases, {v}), false))"
        ));
    }
    let at = |s: &exceptions::Stamp| format!("to_timestamp_micros({})", literal(&s.0));
    if let Some(c) = &x.created {
        parts.push(format!("r.evaluated_at >= {}", at(c)));
    }
    for end in [&x.expires, &x.until].into_iter().flatten() {
        parts.push(format!("r.evaluated_at < {}", at(end)));
    }
    parts.join("\n                   AND ")
}

/// The SQL of the view `eval_exception` (over `eval_placed`, `run_context` and
/// `policy_exceptions`): each finding context row with the exception that applies to it, the
/// first in rank order whose scope holds it.
pub fn exceptions_sql(policy: &Policy) -> String {
    let mut sql = String::from(
        "-- Generated from the policy's exceptions, most specific first (then newest, then id):\n\
         -- the first that holds a finding applies to it.\n",
    );
    sql.push_str(EXCEPTION_FRAME_HEAD);
    let ranked = exceptions::ranked(&policy.exceptions);
    if ranked.is_empty() {
        sql.push_str("           0 AS exception_index  -- no exceptions\n");
    } else {
        sql.push_str("           CASE\n");
        for (n, x) in ranked.iter().enumerate() {
            sql.push_str(&format!(
                "             WHEN ({}) THEN {}  -- {}\n",
                exception_condition(x),
                n + 1,
                x.id.replace(['\n', '\r'], " ")
            ));
        }
        sql.push_str("             ELSE 0\n           END AS exception_index\n");
    }
    sql.push_str(EXCEPTION_FRAME_TAIL);
    sql
}

/// Registers the policy's tables in `ctx` (before `sql/evaluate.sql` runs): `policy_weights`,
/// `policy_rules`, `policy_environments`, `policy_budgets` and `policy_exceptions`.
pub fn register_tables(ctx: &SessionContext, policy: &Policy) -> Result<()> {
    ctx.register_table("policy_weights", Arc::new(weights_table(policy)?))?;
    ctx.register_table("policy_rules", Arc::new(rules_table(policy)?))?;
    ctx.register_table("policy_environments", Arc::new(environments_table(policy)?))?;
    ctx.register_table("policy_budgets", Arc::new(budgets_table(policy)?))?;
    ctx.register_table("policy_exceptions", Arc::new(exceptions_table(policy)?))?;
    Ok(())
}

/// Views that read the lake alone (the tenant's advisories and their linksets, the VEX
/// consensus with its scope keys), not the subjects' rows: [`plan`] computes each as soon as
/// its script defines it and keeps it as a table, before the views that read it are defined.
pub const LAKE_WIDE: [&str; 3] = ["eval_advisories", "eval_affected", "eval_vex_keys"];

/// How [`plan`] treats the views every later step reads more than once: `eval_matches` (the
/// candidates and the VEX that applies to them read it) and `eval_policy` (each environment's
/// unknown count and the rows read it).
pub enum Stages {
    /// Computes each when it is planned and keeps its rows in its place: a run, a replay.
    Compute,
    /// Plans each and puts an empty [`Slot`] in its place, which executing the stage's plan
    /// fills (`evaluate::Checker`: planned once, executed for one subject after another).
    Prepare(Vec<Stage>),
}

/// A view planned once (see [`Stages::Prepare`]): executing `plan` gives the rows for `slot`.
pub struct Stage {
    pub name: &'static str,
    pub plan: Arc<dyn ExecutionPlan>,
    pub task: Arc<TaskContext>,
    pub slot: Slot,
}

/// Plans a whole evaluation in `ctx` (whose lake tables and `run_context` are registered): the
/// policy's tables, `sql/matches.sql` (whose `eval_matches` is computed or prepared here, as
/// `stages` says), `sql/evaluate.sql`, the compiled exceptions, `sql/finding_context.sql`, the
/// rules (checked, then compiled; `eval_policy` likewise) and `sql/findings.sql`. The
/// [`LAKE_WIDE`] views are kept as their scripts define them. Gives the findings rows to
/// collect and the SQL generated from the policy.
pub async fn plan(
    ctx: &SessionContext,
    loaded: &Loaded,
    stages: &mut Stages,
) -> Result<(DataFrame, String)> {
    register_tables(ctx, &loaded.policy)?;
    run_keeping(ctx, sql::MATCHES).await?;
    stage(ctx, "eval_matches", stages).await?;
    run_keeping(ctx, sql::EVALUATE).await?;
    let exceptions = exceptions_sql(&loaded.policy);
    sql::run_script(ctx, &exceptions).await?;
    sql::run_script(ctx, sql::FINDING_CONTEXT).await?;
    check_conditions(ctx, loaded).await?;
    let rules = policy_sql(loaded)?;
    sql::run_script(ctx, &rules).await?;
    stage(ctx, "eval_policy", stages).await?;
    // What came before is in eval_policy now: the kept matches can go.
    forget(ctx, &["eval_policy"])?;
    let findings = sql::run_last(ctx, sql::FINDINGS).await?;
    Ok((findings, format!("{exceptions}\n{rules}")))
}

/// Runs `text`, keeping each [`LAKE_WIDE`] view as soon as it is defined.
async fn run_keeping(ctx: &SessionContext, text: &str) -> Result<()> {
    for statement in sql::statements(text)? {
        if let (Some(view), _) = sql::run_statement(ctx, statement).await?
            && LAKE_WIDE.contains(&view.as_str())
        {
            keep(ctx, &view).await?;
        }
    }
    Ok(())
}

/// Computes or prepares the view `name`, as `stages` says.
async fn stage(ctx: &SessionContext, name: &'static str, stages: &mut Stages) -> Result<()> {
    let Stages::Prepare(prepared) = stages else {
        return keep(ctx, name).await;
    };
    let started = std::time::Instant::now();
    let df = ctx.table(name).await?;
    let task = Arc::new(df.task_ctx());
    let plan = df.create_physical_plan().await?;
    let slot = Slot::replace(ctx, name, plan.schema())?;
    tracing::info!(view = name, planned = ?started.elapsed(), "prepared");
    prepared.push(Stage {
        name,
        plan,
        task,
        slot,
    });
    Ok(())
}

/// Computes the view `name` once and puts its rows in its place (in memory, as many
/// partitions as the session runs), for the views after it that read it more than once.
async fn keep(ctx: &SessionContext, name: &str) -> Result<()> {
    let started = std::time::Instant::now();
    let df = ctx.table(name).await?;
    let schema = Arc::new(df.schema().as_arrow().clone());
    let task = Arc::new(df.task_ctx());
    let physical = df.create_physical_plan().await?;
    let planned = started.elapsed();
    let partitions = datafusion::physical_plan::collect_partitioned(physical, task).await?;
    let partitions = partitions
        .iter()
        .map(|p| {
            p.iter()
                .map(crate::session::compact)
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let bytes: usize = partitions
        .iter()
        .flatten()
        .map(|b| b.get_array_memory_size())
        .sum();
    tracing::info!(view = name, ?planned, elapsed = ?started.elapsed(), bytes, "kept");
    ctx.deregister_table(name)?;
    ctx.register_table(name, Arc::new(MemTable::try_new(schema, partitions)?))?;
    Ok(())
}

/// Deregisters the pipeline's views and kept tables (`eval_*`, `finding_context`) but `spare`,
/// so that what they held in memory goes with them.
pub fn forget(ctx: &SessionContext, spare: &[&str]) -> Result<()> {
    let Some(schema) = ctx.catalog("datafusion").and_then(|c| c.schema("public")) else {
        return Ok(());
    };
    for name in schema.table_names() {
        let ours = name.starts_with("eval_") || name == "finding_context";
        if ours && !spare.contains(&name.as_str()) {
            ctx.deregister_table(name.as_str())?;
        }
    }
    Ok(())
}

/// Plans every rule's condition against `finding_context` (which `sql/evaluate.sql` made in
/// `ctx`): an unknown column, a function that does not exist or a condition that is not a
/// boolean is an error naming the rule and where it stands in the file.
pub async fn check_conditions(ctx: &SessionContext, loaded: &Loaded) -> Result<()> {
    for (i, rule) in loaded.policy.rules.iter().enumerate() {
        let cond = condition(&rule.when).map_err(|e| rule_error(loaded, i, e))?;
        let planned = async {
            let context = ctx.table("finding_context").await?;
            let expr = context.parse_sql_expr(&cond)?;
            context.select(vec![expr.alias("matched")])
        };
        let df = planned
            .await
            .map_err(|e| rule_error(loaded, i, e.strip_backtrace()))?;
        let t = df.schema().field(0).data_type().clone();
        if !matches!(t, DataType::Boolean | DataType::Null) {
            return Err(rule_error(
                loaded,
                i,
                format!("a condition must be true or false, this is {t}"),
            ));
        }
    }
    Ok(())
}
