//! One evaluation run: pin the input tables, run `sql/evaluate.sql`, commit the findings as a
//! new Delta version of `findings`, append what changed to `finding_changes`
//! (`sql/finding_changes.sql`) and record the run in `events`.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use chrono::{DateTime, Utc};
use datafusion::datasource::MemTable;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::ExecutionPlan;
use sha2::{Digest, Sha256};
use tracing::{Instrument, info_span};

use crate::error::{EngineError, Result};
use crate::lake::{EventRow, Lake, Table, conform, rows_to_batch};
use crate::policy::{Loaded, Policy, compile};
use crate::session::{self, SessionOptions};
use crate::slot::Slot;
use crate::sql;

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub tenant: String,
    /// The run's clock; `evaluated_at` of every row.
    pub as_of: DateTime<Utc>,
    /// The policy, with where its rules stand in its file (for errors).
    pub policy: Loaded,
    pub session: SessionOptions,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The new version of `findings`.
    pub findings_version: u64,
    pub rows: usize,
    /// Findings per verdict, PASS..FAIL order.
    pub by_verdict: BTreeMap<Verdict, usize>,
    /// Findings whose match could not be decided (a version not valid in its ecosystem, an
    /// ecosystem without a version scheme, GIT-only ranges): reported, never guessed.
    pub unknown: usize,
    pub determinism_hash: String,
    pub input_versions: BTreeMap<Table, u64>,
    /// `finding_changes` rows per change against the previous findings version.
    pub changes: BTreeMap<String, usize>,
    /// The version of `finding_changes` the run appended; `None` when nothing changed.
    pub finding_changes_version: Option<u64>,
    /// Every environment with an unknown budget, and where it stands.
    pub budgets: Vec<BudgetLine>,
    /// The exceptions the run applied.
    pub exceptions: Vec<ExceptionLine>,
}

/// An environment's unknown budget after a run (`sql/unknown_budgets.sql`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BudgetLine {
    pub environment: String,
    /// Unknown findings that gate (verdict not PASS).
    pub unknown: i64,
    pub max_unknown: i64,
    pub warn_threshold: f64,
    /// `within`, `warning` or `exceeded`.
    pub state: String,
}

/// An exception a run applied, and to how many findings (`sql/exceptions_applied.sql`).
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptionLine {
    pub id: String,
    pub effect: String,
    pub findings: i64,
}

/// A finding's verdict, ordered PASS < WARN < BLOCK < FAIL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum Verdict {
    Pass,
    Warn,
    Block,
    Fail,
}

impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PASS" => Ok(Verdict::Pass),
            "WARN" => Ok(Verdict::Warn),
            "BLOCK" => Ok(Verdict::Block),
            "FAIL" => Ok(Verdict::Fail),
            other => Err(format!("unknown verdict {other:?}")),
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "WARN",
            Verdict::Block => "BLOCK",
            Verdict::Fail => "FAIL",
        })
    }
}

/// Parses an `--as-of` value (RFC 3339).
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| EngineError::InvalidTime {
            value: s.to_string(),
            reason: format!("{e} (expected RFC 3339, e.g. 2026-01-31T12:00:00Z)"),
        })
}

/// The canonical JSON of the input versions: `{"components":3,...}`, keys sorted.
fn versions_json(versions: &BTreeMap<Table, u64>) -> String {
    let sorted: BTreeMap<&str, u64> = versions.iter().map(|(t, v)| (t.name(), *v)).collect();
    serde_json::to_string(&sorted).unwrap_or_default()
}

fn run_context_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("tenant", DataType::Utf8, false),
        Field::new("evaluated_at", crate::lake::schema::timestamp_type(), false),
        Field::new("policy_id", DataType::Utf8, false),
        Field::new("policy_version", DataType::Utf8, false),
        Field::new("policy_hash", DataType::Utf8, false),
        Field::new("input_versions", DataType::Utf8, false),
    ]))
}

/// Registers an empty `run_context` in `ctx` (to plan the pipeline with no run).
pub fn register_empty_run_context(ctx: &datafusion::prelude::SessionContext) -> Result<()> {
    let schema = run_context_schema();
    ctx.register_table(
        "run_context",
        Arc::new(MemTable::try_new(schema, vec![vec![]])?),
    )?;
    Ok(())
}

fn run_context(opts: &RunOptions, input_versions: &str) -> Result<MemTable> {
    let schema = run_context_schema();
    let one = |s: &str| Arc::new(StringArray::from(vec![s.to_string()])) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            one(&opts.tenant),
            Arc::new(
                TimestampMicrosecondArray::from(vec![opts.as_of.timestamp_micros()])
                    .with_timezone("UTC"),
            ),
            one(&opts.policy.policy.id),
            one(&opts.policy.policy.version),
            one(&opts.policy.policy.hash()),
            one(input_versions),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// sha256 over every value of every row, in order, independent of how rows fall into batches.
fn rows_hash(batches: &[RecordBatch], skip: &str) -> Result<String> {
    let options = FormatOptions::default().with_null("\u{0}");
    let mut hasher = Sha256::new();
    for batch in batches {
        let formatters = formatters(batch, skip, &options)?;
        for row in 0..batch.num_rows() {
            for f in &formatters {
                hasher.update(f.value(row).to_string().as_bytes());
                hasher.update([0x1f]);
            }
            hasher.update([0x1e]);
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A text formatter for every column of `batch` but `skip`, in column order.
fn formatters<'a>(
    batch: &'a RecordBatch,
    skip: &str,
    options: &'a FormatOptions<'a>,
) -> Result<Vec<ArrayFormatter<'a>>> {
    Ok(batch
        .schema_ref()
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| f.name() != skip)
        .map(|(_, c)| ArrayFormatter::try_new(c.as_ref(), options))
        .collect::<std::result::Result<Vec<_>, _>>()?)
}

/// The rows a run computes, stamped with their determinism hash, before anything is committed.
struct Evaluated {
    batches: Vec<RecordBatch>,
    rows: usize,
    by_verdict: BTreeMap<Verdict, usize>,
    unknown: usize,
    determinism_hash: String,
}

/// Plans the pipeline (`compile::plan`) in `ctx` (whose lake tables are at `versions_text`) at
/// the run's clock and policy: the findings rows to collect.
async fn plan_rows(
    ctx: &datafusion::prelude::SessionContext,
    opts: &RunOptions,
    versions_text: &str,
    stages: &mut compile::Stages,
) -> Result<datafusion::prelude::DataFrame> {
    // The pipeline's SQL orders every join with its small side first (a hash join holds its
    // first side in memory, the other streams past it). Estimates of intermediate results
    // are too rough to overrule that: at fleet scale they swapped components in as the
    // build side and a run of ten thousand images held gigabytes.
    ctx.state_ref()
        .write()
        .config_mut()
        .options_mut()
        .optimizer
        .join_reordering = false;
    sql::register_views(ctx, opts.as_of).await?;
    ctx.register_table("run_context", Arc::new(run_context(opts, versions_text)?))?;
    Ok(compile::plan(ctx, &opts.policy, stages).await?.0)
}

/// Runs the pipeline in `ctx` (whose lake tables are at `input_versions`) at the run's clock
/// and policy, and stamps every row with the determinism hash.
async fn evaluate_rows(
    ctx: &datafusion::prelude::SessionContext,
    opts: &RunOptions,
    input_versions: &BTreeMap<Table, u64>,
) -> Result<Evaluated> {
    let versions_text = versions_json(input_versions);
    let df = plan_rows(ctx, opts, &versions_text, &mut compile::Stages::Compute).await?;
    let schema = Table::Findings.schema();
    let started = std::time::Instant::now();
    let batches: Vec<RecordBatch> = df
        .collect()
        .await?
        .iter()
        .map(|b| conform(b, &schema))
        .collect::<Result<_>>()?;

    let bytes: usize = batches.iter().map(|b| b.get_array_memory_size()).sum();
    tracing::info!(elapsed = ?started.elapsed(), bytes, "findings computed");
    // The kept tables are not needed any more: their memory is the commit's.
    compile::forget(ctx, &[])?;
    stamp(batches, opts, &versions_text)
}

/// Stamps the findings rows `batches` (of the findings table's schema) of a run at
/// `versions_text` with their determinism hash, and counts them.
fn stamp(batches: Vec<RecordBatch>, opts: &RunOptions, versions_text: &str) -> Result<Evaluated> {
    let policy_hash = opts.policy.policy.hash();
    let schema = Table::Findings.schema();
    let mut hasher = Sha256::new();
    hasher.update(policy_hash.as_bytes());
    hasher.update([0x1f]);
    hasher.update(versions_text.as_bytes());
    hasher.update([0x1f]);
    hasher.update(rows_hash(&batches, "determinism_hash")?.as_bytes());
    let determinism_hash = hex::encode(hasher.finalize());

    let idx = schema.index_of("determinism_hash")?;
    let mut by_verdict = BTreeMap::new();
    let verdict_idx = schema.index_of("verdict")?;
    let match_idx = schema.index_of("match_state")?;
    let mut unknown = 0;
    let mut rows = 0;
    let stamped: Vec<RecordBatch> = batches
        .into_iter()
        .map(|b| {
            rows += b.num_rows();
            unknown += session::string_column(std::slice::from_ref(&b), match_idx)?
                .iter()
                .filter(|m| *m == "unknown")
                .count();
            for v in session::string_column(std::slice::from_ref(&b), verdict_idx)? {
                if let Ok(v) = v.parse::<Verdict>() {
                    *by_verdict.entry(v).or_insert(0) += 1;
                }
            }
            let mut cols = b.columns().to_vec();
            cols[idx] = Arc::new(StringArray::from(vec![
                determinism_hash.clone();
                b.num_rows()
            ]));
            Ok(RecordBatch::try_new(schema.clone(), cols)?)
        })
        .collect::<Result<_>>()?;
    let batches = if stamped.is_empty() {
        vec![RecordBatch::new_empty(schema.clone())]
    } else {
        stamped
    };
    Ok(Evaluated {
        batches,
        rows,
        by_verdict,
        unknown,
        determinism_hash,
    })
}

/// Runs the pipeline over the newest version of every input table and commits the findings.
pub async fn run(lake: &Lake, opts: &RunOptions) -> Result<RunReport> {
    run_pipeline(lake, opts)
        .instrument(info_span!("evaluate", tenant = %opts.tenant))
        .await
}

async fn run_pipeline(lake: &Lake, opts: &RunOptions) -> Result<RunReport> {
    lake.init().await?;
    let lake_session = session::open(lake, &Table::EVALUATION_INPUTS, &opts.session).await?;
    let ctx = &lake_session.ctx;
    let input_versions = lake_session.versions.clone();
    let Evaluated {
        batches: stamped,
        rows,
        by_verdict,
        unknown,
        determinism_hash,
    } = evaluate_rows(ctx, opts, &input_versions).await?;
    let started = std::time::Instant::now();
    let findings_version = lake.overwrite(Table::Findings, stamped.clone()).await?;
    tracing::info!(elapsed = ?started.elapsed(), version = findings_version, "findings committed");
    ctx.register_table(
        "current_findings",
        Arc::new(MemTable::try_new(Table::Findings.schema(), vec![stamped])?),
    )?;
    let changes = record_changes(lake, ctx, opts, findings_version).await?;
    let (budgets, exceptions) = budgets_and_exceptions(ctx).await?;
    let report = RunReport {
        findings_version,
        rows,
        by_verdict,
        unknown,
        determinism_hash,
        input_versions,
        changes: changes.counts,
        finding_changes_version: changes.version,
        budgets,
        exceptions,
    };
    write_events(lake, opts, &report, &changes.rows).await?;
    Ok(report)
}

/// The `finding_changes` of one run.
struct Changes {
    /// Rows per change (`new`, `resolved`, `verdict_changed`, `severity_changed`).
    counts: BTreeMap<String, usize>,
    /// The version of `finding_changes` they were appended as; `None` when nothing changed.
    version: Option<u64>,
    /// (finding_key, change, old_verdict, new_verdict) of every row.
    rows: Vec<[Option<String>; 4]>,
}

/// Compares the findings version the run wrote (`current_findings`) with the version before it
/// (`sql/finding_changes.sql`) and appends the differences to `finding_changes`.
async fn record_changes(
    lake: &Lake,
    ctx: &datafusion::prelude::SessionContext,
    opts: &RunOptions,
    findings_version: u64,
) -> Result<Changes> {
    let previous = lake
        .load_version(Table::Findings, findings_version.saturating_sub(1))
        .await?
        .table_provider()
        .await?;
    ctx.register_table("previous_findings", previous)?;
    let context_schema = Arc::new(Schema::new(vec![
        Field::new("tenant", DataType::Utf8, false),
        Field::new("from_version", DataType::Int64, false),
        Field::new("to_version", DataType::Int64, false),
        Field::new("evaluated_at", crate::lake::schema::timestamp_type(), false),
    ]));
    let to = i64::try_from(findings_version).unwrap_or(i64::MAX);
    let context = RecordBatch::try_new(
        context_schema.clone(),
        vec![
            Arc::new(StringArray::from(vec![opts.tenant.clone()])),
            Arc::new(arrow::array::Int64Array::from(vec![to - 1])),
            Arc::new(arrow::array::Int64Array::from(vec![to])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![opts.as_of.timestamp_micros()])
                    .with_timezone("UTC"),
            ),
        ],
    )?;
    ctx.register_table(
        "change_context",
        Arc::new(MemTable::try_new(context_schema, vec![vec![context]])?),
    )?;
    let schema = Table::FindingChanges.schema();
    let batches: Vec<RecordBatch> = sql::run_last(ctx, sql::FINDING_CHANGES)
        .await?
        .collect()
        .await?
        .iter()
        .map(|b| conform(b, &schema))
        .collect::<Result<_>>()?;
    let column = |name: &str| -> Result<Vec<Option<String>>> {
        let idx = schema.index_of(name)?;
        let mut out = Vec::new();
        for b in &batches {
            let c = arrow::compute::cast(b.column(idx), &DataType::Utf8)?;
            let c = c.as_any().downcast_ref::<StringArray>().ok_or_else(|| {
                EngineError::Config(format!("finding_changes.{name} is not text"))
            })?;
            out.extend(c.iter().map(|v| v.map(str::to_string)));
        }
        Ok(out)
    };
    let (keys, kinds) = (column("finding_key")?, column("change")?);
    let (old, new) = (column("old_verdict")?, column("new_verdict")?);
    let mut counts = BTreeMap::new();
    for kind in kinds.iter().flatten() {
        *counts.entry(kind.clone()).or_insert(0) += 1;
    }
    let rows: Vec<[Option<String>; 4]> = keys
        .into_iter()
        .zip(kinds)
        .zip(old.into_iter().zip(new))
        .map(|((k, c), (o, n))| [k, c, o, n])
        .collect();
    let version = if rows.is_empty() {
        None
    } else {
        Some(lake.append(Table::FindingChanges, batches).await?)
    };
    Ok(Changes {
        counts,
        version,
        rows,
    })
}

/// The run's unknown budgets and applied exceptions, from the rows it wrote
/// (`current_findings`).
async fn budgets_and_exceptions(
    ctx: &datafusion::prelude::SessionContext,
) -> Result<(Vec<BudgetLine>, Vec<ExceptionLine>)> {
    let batches = sql::run_last(ctx, sql::UNKNOWN_BUDGETS)
        .await?
        .collect()
        .await?;
    let mut budgets = Vec::new();
    for b in &batches {
        let column = |i: usize, t: &DataType| arrow::compute::cast(b.column(i), t);
        let (env, state) = (column(0, &DataType::Utf8)?, column(4, &DataType::Utf8)?);
        let (unknown, max) = (column(1, &DataType::Int64)?, column(2, &DataType::Int64)?);
        let threshold = column(3, &DataType::Float64)?;
        let (env, state) = (env.as_string::<i32>(), state.as_string::<i32>());
        let (unknown, max) = (
            unknown.as_primitive::<Int64Type>(),
            max.as_primitive::<Int64Type>(),
        );
        let threshold = threshold.as_primitive::<Float64Type>();
        for row in 0..b.num_rows() {
            budgets.push(BudgetLine {
                environment: env.value(row).to_string(),
                unknown: unknown.value(row),
                max_unknown: max.value(row),
                warn_threshold: threshold.value(row),
                state: state.value(row).to_string(),
            });
        }
    }
    let batches = sql::run_last(ctx, sql::EXCEPTIONS_APPLIED)
        .await?
        .collect()
        .await?;
    let (ids, effects, counts) = (
        session::string_column(&batches, 0)?,
        session::string_column(&batches, 1)?,
        session::string_column(&batches, 2)?,
    );
    let exceptions = ids
        .into_iter()
        .zip(effects)
        .zip(counts)
        .map(|((id, effect), n)| ExceptionLine {
            id,
            effect,
            findings: n.parse().unwrap_or(0),
        })
        .collect();
    Ok((budgets, exceptions))
}

/// `events` of a run (stream `policy:evaluated`): one `evaluation.completed`, one
/// `exception.applied` per exception that decided findings, and one `verdict.changed` per
/// finding that is new, resolved or has another verdict. They happen at the run's clock
/// (`--as-of`), like the findings.
async fn write_events(
    lake: &Lake,
    opts: &RunOptions,
    report: &RunReport,
    changes: &[[Option<String>; 4]],
) -> Result<()> {
    let occurred_at = crate::ingest::ts(opts.as_of);
    let mut written = BTreeMap::from([(Table::Findings.name(), report.findings_version)]);
    if let Some(v) = report.finding_changes_version {
        written.insert(Table::FindingChanges.name(), v);
    }
    let read: BTreeMap<&str, u64> = report
        .input_versions
        .iter()
        .map(|(t, v)| (t.name(), *v))
        .collect();
    let table_versions = serde_json::json!({"read": read, "written": written}).to_string();
    let id = |parts: &[&str]| crate::ingest::sha256_id(parts.join("\u{1f}").as_bytes());
    let to = report.findings_version.to_string();
    let verdicts: BTreeMap<String, usize> = report
        .by_verdict
        .iter()
        .map(|(v, n)| (v.to_string(), *n))
        .collect();
    let mut rows = vec![EventRow {
        tenant: opts.tenant.clone(),
        event_id: id(&[&opts.tenant, "evaluation.completed", &to]),
        stream: "policy:evaluated",
        ty: "evaluation.completed",
        subject: format!("findings@{to}"),
        payload: serde_json::json!({
            "findings_version": report.findings_version,
            "findings": report.rows,
            "verdicts": verdicts,
            "unknown": report.unknown,
            "changes": report.changes,
            "determinism_hash": report.determinism_hash,
            "unknown_budgets": report.budgets,
            "exceptions_applied": report.exceptions.len(),
            "policy_id": opts.policy.policy.id,
            "policy_version": opts.policy.policy.version,
            "policy_hash": opts.policy.policy.hash(),
            "policy": serde_json::from_str::<serde_json::Value>(
                &opts.policy.policy.canonical_json()
            )
            .unwrap_or_default(),
            "as_of": occurred_at,
        })
        .to_string(),
        table_versions: table_versions.clone(),
        occurred_at: occurred_at.clone(),
    }];
    for applied in &report.exceptions {
        let Some(x) = opts
            .policy
            .policy
            .exceptions
            .iter()
            .find(|x| x.id == applied.id)
        else {
            continue;
        };
        rows.push(EventRow {
            tenant: opts.tenant.clone(),
            event_id: id(&[&opts.tenant, "exception.applied", &applied.id, &to]),
            stream: "policy:evaluated",
            ty: "exception.applied",
            subject: format!("exception:{}", applied.id),
            payload: serde_json::json!({
                "exception_id": applied.id,
                "effect": applied.effect,
                "findings": applied.findings,
                "scope": x.scope,
                "owner": x.owner,
                "reason": x.reason,
                "until": x.until,
                "severity": x.severity,
                "control": x.control,
                "expires": x.expires,
                "findings_version": report.findings_version,
            })
            .to_string(),
            table_versions: table_versions.clone(),
            occurred_at: occurred_at.clone(),
        });
    }
    for [key, change, old, new] in changes {
        let (Some(key), Some(change)) = (key, change) else {
            continue;
        };
        if change == "severity_changed" {
            continue;
        }
        rows.push(EventRow {
            tenant: opts.tenant.clone(),
            event_id: id(&[&opts.tenant, "verdict.changed", key, &to]),
            stream: "policy:evaluated",
            ty: "verdict.changed",
            subject: key.clone(),
            payload: serde_json::json!({
                "finding_key": key,
                "change": change,
                "old_verdict": old,
                "new_verdict": new,
                "findings_version": report.findings_version,
            })
            .to_string(),
            table_versions: table_versions.clone(),
            occurred_at: occurred_at.clone(),
        });
    }
    let batch = rows_to_batch(Table::Events, &rows, vec![])?;
    lake.append(Table::Events, vec![batch]).await?;
    Ok(())
}

/// What `replay` found.
#[derive(Clone, Debug)]
pub struct ReplayReport {
    pub findings_version: u64,
    pub rows: usize,
    pub determinism_hash: String,
    /// The first difference between the recorded rows and the replayed ones, if any.
    pub difference: Option<String>,
}

/// How a findings version was made, as its `evaluation.completed` event records it.
struct RunRecord {
    as_of: DateTime<Utc>,
    policy: Loaded,
    input_versions: BTreeMap<Table, u64>,
    determinism_hash: String,
}

async fn run_record(lake: &Lake, tenant: &str, version: u64) -> Result<RunRecord> {
    let ctx = session::bare(lake, &SessionOptions::default());
    session::register(&ctx, "events", &lake.load(Table::Events).await?).await?;
    let batches = ctx
        .sql(sql::RUN_RECORD)
        .await?
        .with_param_values(vec![
            datafusion::common::ScalarValue::from(tenant),
            datafusion::common::ScalarValue::from(format!("findings@{version}")),
        ])?
        .collect()
        .await?;
    let (payloads, versions) = (
        session::string_column(&batches, 0)?,
        session::string_column(&batches, 1)?,
    );
    let (Some(payload), Some(versions)) = (payloads.first(), versions.first()) else {
        return Err(EngineError::Config(format!(
            "findings version {version} has no evaluation.completed event for tenant {tenant:?}: \
             it was not written by `vexlake evaluate` (or by one older than replay), so its \
             inputs are unknown"
        )));
    };
    let bad = |what: &str| {
        EngineError::Config(format!(
            "the evaluation.completed event of findings version {version} has no {what}"
        ))
    };
    let payload: serde_json::Value =
        serde_json::from_str(payload).map_err(|_| bad("JSON payload"))?;
    let versions: serde_json::Value =
        serde_json::from_str(versions).map_err(|_| bad("JSON table versions"))?;
    let text = |v: &serde_json::Value, key: &str| -> Result<String> {
        v[key].as_str().map(str::to_string).ok_or_else(|| bad(key))
    };
    let mut input_versions = BTreeMap::new();
    for (name, v) in versions["read"]
        .as_object()
        .ok_or_else(|| bad("read versions"))?
    {
        let table = name.parse::<Table>().map_err(EngineError::Config)?;
        input_versions.insert(table, v.as_u64().ok_or_else(|| bad("read versions"))?);
    }
    Ok(RunRecord {
        as_of: parse_as_of(&text(&payload, "as_of")?)?,
        policy: {
            let policy: Policy = serde_json::from_value(payload["policy"].clone())
                .map_err(|e| bad(&format!("readable policy ({e})")))?;
            let hash = text(&payload, "policy_hash")?;
            if policy.hash() != hash {
                return Err(EngineError::Config(format!(
                    "the policy recorded with findings version {version} hashes to {}, not to \
                     the recorded policy_hash {hash}: the record was altered",
                    policy.hash()
                )));
            }
            Loaded {
                policy,
                places: Vec::new(),
            }
        },
        input_versions,
        determinism_hash: text(&payload, "determinism_hash")?,
    })
}

/// Every row of `batches` as its values' text, sorted by (finding_key, source), with the
/// column names; without `determinism_hash`, which covers the whole run (replay compares it
/// apart).
fn rows_text(batches: &[RecordBatch], tenant: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    const SKIP: &str = "determinism_hash";
    let schema = Table::Findings.schema();
    let names: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| f.name() != SKIP)
        .map(|f| f.name().clone())
        .collect();
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = Vec::new();
    for batch in batches {
        let batch = conform(batch, &schema)?;
        let formatters = formatters(&batch, SKIP, &options)?;
        for row in 0..batch.num_rows() {
            let values: Vec<String> = formatters
                .iter()
                .map(|f| f.value(row).to_string())
                .collect();
            if values[0] == tenant {
                rows.push(values);
            }
        }
    }
    let key = |name: &str| names.iter().position(|n| n == name).unwrap_or(0);
    let (k, src) = (key("finding_key"), key("source"));
    rows.sort_by(|a, b| (&a[k], &a[src]).cmp(&(&b[k], &b[src])));
    Ok((names, rows))
}

/// Re-runs the evaluation that produced findings version `version` from its recorded input
/// versions, policy and clock, and compares the rows with the recorded ones.
pub async fn replay(
    lake: &Lake,
    tenant: &str,
    version: u64,
    options: &SessionOptions,
) -> Result<ReplayReport> {
    let newest = lake.version(Table::Findings).await?;
    if version == 0 || version > newest {
        return Err(EngineError::Config(format!(
            "findings has no evaluation version {version}: versions 1 to {newest} were written \
             by runs"
        )));
    }
    let record = run_record(lake, tenant, version).await?;
    let opts = RunOptions {
        tenant: tenant.to_string(),
        as_of: record.as_of,
        policy: record.policy,
        session: options.clone(),
    };
    let lake_session = session::open_at(lake, &record.input_versions, options).await?;
    let replayed = evaluate_rows(&lake_session.ctx, &opts, &record.input_versions).await?;

    let recorded_table = lake.load_version(Table::Findings, version).await?;
    let ctx = session::bare(lake, options);
    recorded_table.update_datafusion_session(&ctx.state())?;
    let recorded = ctx
        .read_table(recorded_table.table_provider().await?)?
        .collect()
        .await?;

    let (names, want) = rows_text(&recorded, tenant)?;
    let (_, got) = rows_text(&replayed.batches, tenant)?;
    let mut difference = None;
    if replayed.determinism_hash != record.determinism_hash {
        difference = Some(format!(
            "determinism_hash: recorded {}, replayed {}",
            record.determinism_hash, replayed.determinism_hash
        ));
    }
    let key = names.iter().position(|n| n == "finding_key").unwrap_or(0);
    if let Some((i, (w, g))) = want.iter().zip(&got).enumerate().find(|(_, (w, g))| w != g) {
        let src = names.iter().position(|n| n == "source").unwrap_or(0);
        difference = Some(if (&w[key], &w[src]) < (&g[key], &g[src]) {
            format!("finding_key {} ({}) is only recorded", w[key], w[src])
        } else if (&w[key], &w[src]) > (&g[key], &g[src]) {
            format!("finding_key {} ({}) is only replayed", g[key], g[src])
        } else {
            let c = w.iter().zip(g).position(|(a, b)| a != b).unwrap_or(0);
            format!(
                "row {} (finding_key {}): {}: recorded {:?}, replayed {:?}",
                i + 1,
                w[key],
                names[c],
                w[c],
                g[c]
            )
        });
    } else if want.len() != got.len() {
        let (longer, which) = if want.len() > got.len() {
            (&want, "only recorded")
        } else {
            (&got, "only replayed")
        };
        let extra = &longer[want.len().min(got.len())];
        difference = Some(format!(
            "recorded {} rows, replayed {}; the first {which}: finding_key {}",
            want.len(),
            got.len(),
            extra[key]
        ));
    }
    Ok(ReplayReport {
        findings_version: version,
        rows: want.len(),
        determinism_hash: record.determinism_hash,
        difference,
    })
}

/// What a one-subject evaluation found (`vexlake evaluate --image/--subject`); nothing is
/// committed.
#[derive(Clone, Debug)]
pub struct SubjectReport {
    pub subject: String,
    /// The subject's findings rows, in canonical order, with the findings table's columns.
    pub batches: Vec<RecordBatch>,
    pub rows: usize,
    pub by_verdict: BTreeMap<Verdict, usize>,
    pub unknown: usize,
    /// Of the subject's rows, under the run's inputs, policy and clock.
    pub determinism_hash: String,
    pub input_versions: BTreeMap<Table, u64>,
}

/// The tables a one-subject run reads only the subject's rows of, the columns that name it
/// (an image digest, or an SBOM's id), and whether a [`Checker`] reads the whole table once
/// (a row a document, an image, a signal) or the subject's rows for each check (a row a
/// component: millions in a fleet).
const SUBJECT_TABLES: [(Table, &[&str], Read); 4] = [
    (Table::Artifacts, &["image_digest", "sbom_id"], Read::Once),
    (
        Table::Components,
        &["image_digest", "sbom_id"],
        Read::PerCheck,
    ),
    (Table::Images, &["image_digest"], Read::Once),
    (Table::RuntimeSignals, &["image_digest"], Read::Once),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    Once,
    PerCheck,
}

/// Evaluates one subject (an image digest or an SBOM id) over the newest version of every
/// input table, and commits nothing: [`Checker::open`], then [`Checker::check`].
pub async fn check_subject(lake: &Lake, opts: &RunOptions, subject: &str) -> Result<SubjectReport> {
    Checker::open(lake, opts).await?.check(subject).await
}

/// A subject table's rows, and the slot the pipeline reads in its place.
struct SubjectTable {
    table: Table,
    columns: &'static [&'static str],
    rows: SubjectRows,
    slot: Slot,
}

/// Where a check reads a subject table's rows from.
enum SubjectRows {
    /// The lake table, read with a filter on the subject.
    Lake(Arc<dyn datafusion::datasource::TableProvider>),
    /// Every row, read when the checker opened.
    Memory(Vec<RecordBatch>),
}

/// One subject after another evaluated over the same lake versions, policy and clock, each
/// as a full run would evaluate it, committing nothing (`vexlake evaluate --image/--subject`;
/// an admission check in a long-running process).
///
/// [`Checker::open`] pins the newest version of every input table and does the work that
/// does not depend on the subject once: it computes the views that read the lake alone (the
/// tenant's advisories and their linksets, the VEX consensus: `compile::LAKE_WIDE`) and
/// plans the whole pipeline, physical plans included, over slots where a subject's rows go.
/// [`Checker::check`] reads the subject's rows of its components, documents, image and
/// runtime signals (the filter goes down to the Parquet scans: the files' and row groups'
/// statistics skip what cannot hold it, and the rest is filtered row by row before the other
/// columns are decoded), puts them in the slots and executes the plans again. The findings
/// are the rows a full run gives for that subject, except that an environment's unknown
/// budget counts this subject's unknown findings alone. Tables that change after `open` are
/// not seen: open another checker to see them.
pub struct Checker {
    ctx: datafusion::prelude::SessionContext,
    opts: RunOptions,
    input_versions: BTreeMap<Table, u64>,
    versions_text: String,
    subject_tables: Vec<SubjectTable>,
    stages: Vec<compile::Stage>,
    /// The plan of the findings rows, over the last stage's slot.
    findings: (Arc<dyn ExecutionPlan>, Arc<TaskContext>),
}

impl Checker {
    /// Opens the lake's newest versions and prepares the pipeline (see [`Checker`]).
    pub async fn open(lake: &Lake, opts: &RunOptions) -> Result<Self> {
        let started = std::time::Instant::now();
        // One subject's rows are a few thousand: one partition, no exchanges between them.
        let options = SessionOptions {
            target_partitions: Some(1),
            ..opts.session.clone()
        };
        let lake_session = session::open(lake, &Table::EVALUATION_INPUTS, &options).await?;
        let ctx = lake_session.ctx;
        {
            let state = ctx.state_ref();
            let mut state = state.write();
            let config = state.config_mut().options_mut();
            config.execution.parquet.pushdown_filters = true;
            // A physical plan executed again must not carry filters learnt in the last
            // execution (`reset_plan_states`' condition).
            config.optimizer.enable_dynamic_filter_pushdown = false;
            config.optimizer.enable_join_dynamic_filter_pushdown = false;
            config.optimizer.enable_topk_dynamic_filter_pushdown = false;
            config.optimizer.enable_aggregate_dynamic_filter_pushdown = false;
        }
        let mut subject_tables = Vec::new();
        for (table, columns, read) in SUBJECT_TABLES {
            let name = table.name();
            let provider = ctx.table_provider(name).await?;
            let schema = provider.schema();
            let rows = match read {
                Read::PerCheck => SubjectRows::Lake(provider),
                Read::Once => SubjectRows::Memory(ctx.table(name).await?.collect().await?),
            };
            let slot = Slot::replace(&ctx, name, schema)?;
            subject_tables.push(SubjectTable {
                table,
                columns,
                rows,
                slot,
            });
        }
        let versions_text = versions_json(&lake_session.versions);
        let mut stages = compile::Stages::Prepare(Vec::new());
        let df = plan_rows(&ctx, opts, &versions_text, &mut stages).await?;
        let task = Arc::new(df.task_ctx());
        let plan = df.create_physical_plan().await?;
        let compile::Stages::Prepare(stages) = stages else {
            unreachable!("plan_rows keeps the stages it was given")
        };
        tracing::info!(elapsed = ?started.elapsed(), "checker ready");
        Ok(Self {
            findings: (plan, task),
            ctx,
            opts: opts.clone(),
            input_versions: lake_session.versions,
            versions_text,
            subject_tables,
            stages,
        })
    }

    /// Evaluates `subject`, an image digest or an SBOM id (see [`Checker`]).
    pub async fn check(&mut self, subject: &str) -> Result<SubjectReport> {
        let result = self.evaluate(subject).await;
        // What the slots hold is this subject's: it goes with the check.
        for slot in self.slots() {
            slot.clear()?;
        }
        result
    }

    fn slots(&self) -> impl Iterator<Item = &Slot> {
        let subject = self.subject_tables.iter().map(|t| &t.slot);
        subject.chain(self.stages.iter().map(|s| &s.slot))
    }

    async fn evaluate(&self, subject: &str) -> Result<SubjectReport> {
        use datafusion::prelude::{col, lit};
        let started = std::time::Instant::now();
        // The columns of `artifacts` that hold the subject. A component's image digest and
        // SBOM id are its document's, so `components` is read by these alone: an image's
        // components by image_digest, the column a fleet's files are written in the order of,
        // whose statistics then skip the other files (`image_digest = x OR sbom_id = x` could
        // skip nothing: every file spans the SBOM ids).
        let mut named_by: Vec<&str> = Vec::new();
        for t in &self.subject_tables {
            let columns: Vec<&str> = t
                .columns
                .iter()
                .filter(|c| t.table != Table::Components || named_by.contains(c))
                .copied()
                .collect();
            let rows = match &t.rows {
                SubjectRows::Memory(all) => subject_rows(all, &columns, subject)?,
                SubjectRows::Lake(provider) => {
                    let predicate = columns
                        .iter()
                        .map(|c| col(*c).eq(lit(subject)))
                        .reduce(|a, b| a.or(b))
                        .unwrap_or(lit(false));
                    let df = self.ctx.read_table(provider.clone())?;
                    df.filter(predicate)?.collect().await?
                }
            };
            if t.table == Table::Artifacts {
                let schema = t.slot.schema();
                let tenants = session::string_column(&rows, schema.index_of("tenant")?)?;
                if !tenants.contains(&self.opts.tenant) {
                    return Err(EngineError::Config(format!(
                        "no SBOM in the lake has the image digest or SBOM id {subject:?} \
                         (tenant {:?}); the columns image_digest and sbom_id of the table \
                         `artifacts` list them (`vexlake sql`)",
                        self.opts.tenant
                    )));
                }
                for c in t.columns {
                    let values = session::string_column(&rows, schema.index_of(c)?)?;
                    if values.iter().any(|v| v == subject) {
                        named_by.push(c);
                    }
                }
            }
            t.slot.set(rows)?;
        }
        tracing::debug!(elapsed = ?started.elapsed(), "subject rows read");
        for stage in &self.stages {
            let rows = execute(&stage.plan, &stage.task).await?;
            let rows = rows.iter().map(session::compact).collect::<Result<_>>()?;
            stage.slot.set(rows)?;
            tracing::debug!(view = stage.name, elapsed = ?started.elapsed(), "stage computed");
        }
        let schema = Table::Findings.schema();
        let batches = execute(&self.findings.0, &self.findings.1)
            .await?
            .iter()
            .map(|b| conform(b, &schema))
            .collect::<Result<_>>()?;
        let evaluated = stamp(batches, &self.opts, &self.versions_text)?;
        tracing::info!(elapsed = ?started.elapsed(), subject, rows = evaluated.rows, "checked");
        Ok(SubjectReport {
            subject: subject.to_string(),
            batches: evaluated.batches,
            rows: evaluated.rows,
            by_verdict: evaluated.by_verdict,
            unknown: evaluated.unknown,
            determinism_hash: evaluated.determinism_hash,
            input_versions: self.input_versions.clone(),
        })
    }
}

/// The rows of `batches` whose value in one of `columns` is `subject`.
fn subject_rows(
    batches: &[RecordBatch],
    columns: &[&str],
    subject: &str,
) -> Result<Vec<RecordBatch>> {
    use arrow::compute::kernels::cmp::eq;
    use arrow::compute::{cast, filter_record_batch, or, prep_null_mask_filter};
    let mut out = Vec::new();
    for batch in batches {
        let mut keep = BooleanArray::from(vec![false; batch.num_rows()]);
        for c in columns {
            let column = batch.column(batch.schema_ref().index_of(c)?);
            let value = cast(&StringArray::from(vec![subject]), column.data_type())?;
            let hit = eq(column, &arrow::array::Scalar::new(value))?;
            // A null names no subject.
            let hit = match hit.nulls() {
                Some(_) => prep_null_mask_filter(&hit),
                None => hit,
            };
            keep = or(&keep, &hit)?;
        }
        if keep.true_count() > 0 {
            out.push(filter_record_batch(batch, &keep)?);
        }
    }
    Ok(out)
}

/// Executes a prepared plan again, over what its slots hold now (`slot::reset_for_execution`:
/// the hash tables of the lake-wide tables are built once, in the first check).
async fn execute(
    plan: &Arc<dyn ExecutionPlan>,
    task: &Arc<TaskContext>,
) -> Result<Vec<RecordBatch>> {
    let plan = crate::slot::reset_for_execution(plan.clone())?;
    let rows = datafusion::physical_plan::collect(plan.clone(), task.clone()).await?;
    tracing::trace!(
        "executed:\n{}",
        datafusion::physical_plan::display::DisplayableExecutionPlan::with_metrics(plan.as_ref())
            .indent(true)
    );
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows whose image digest or SBOM id is the subject; a null names nothing, and a batch
    /// without the subject gives no batch.
    #[test]
    fn a_subjects_rows_are_those_that_name_it_in_any_column() -> Result<()> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("image_digest", DataType::Utf8, true),
            Field::new("sbom_id", DataType::Utf8View, true),
        ]));
        let batch = |digests: Vec<Option<&str>>, ids: Vec<Option<&str>>| {
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(StringArray::from(digests)),
                    Arc::new(arrow::array::StringViewArray::from(ids)),
                ],
            )
        };
        let batches = vec![
            batch(
                vec![Some("x"), None, Some("y"), Some("x")],
                vec![Some("a"), Some("x"), None, Some("b")],
            )?,
            batch(vec![Some("y")], vec![Some("c")])?,
        ];
        let sbom_ids =
            |rows: &[RecordBatch]| -> Result<Vec<String>> { session::string_column(rows, 1) };
        let both = subject_rows(&batches, &["image_digest", "sbom_id"], "x")?;
        assert_eq!(both.len(), 1);
        assert_eq!(sbom_ids(&both)?, ["a", "x", "b"]);
        let digest_only = subject_rows(&batches, &["image_digest"], "x")?;
        assert_eq!(sbom_ids(&digest_only)?, ["a", "b"]);
        assert_eq!(subject_rows(&batches, &["image_digest"], "y")?.len(), 2);
        assert!(subject_rows(&batches, &["image_digest", "sbom_id"], "z")?.is_empty());
        assert!(subject_rows(&batches, &[], "x")?.is_empty());
        Ok(())
    }
}
