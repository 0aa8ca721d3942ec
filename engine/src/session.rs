//! One DataFusion session over the lake: every table registered under its name (pinned at the
//! version loaded when the session opened), every vexlake function, and the analyst views.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::RecordBatch;
use datafusion::execution::config::SessionConfig;
use datafusion::prelude::{SessionContext, col, lit};
use deltalake::DeltaTable;

use crate::error::{EngineError, Result};
use crate::lake::{Lake, Table};
use crate::sql;
use crate::time_travel::TableAt;

/// Session settings the CLI may change.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// DataFusion's `target_partitions`; the number of cores when not set.
    pub target_partitions: Option<usize>,
}

/// A session and the Delta version of every lake table it registered.
pub struct LakeSession {
    pub ctx: SessionContext,
    pub versions: BTreeMap<Table, u64>,
}

/// A bare session with vexlake's functions and no tables.
pub fn context(options: &SessionOptions) -> SessionContext {
    let mut config = SessionConfig::new().with_information_schema(true);
    if let Some(n) = options.target_partitions {
        config = config.with_target_partitions(n.max(1));
    }
    let ctx = SessionContext::new_with_config(config);
    // CSV columns are read as text unless the statement declares their types: a column of
    // versions inferred as numbers would lose digits (1.10 becomes 1.1).
    ctx.state_ref()
        .write()
        .table_options_mut()
        .csv
        .schema_infer_max_rec = Some(0);
    for udf in vexlake_udfs::all_scalar_functions() {
        ctx.register_udf(udf.as_ref().clone());
    }
    for udaf in vexlake_udfs::all_aggregate_functions() {
        ctx.register_udaf(udaf.as_ref().clone());
    }
    ctx
}

/// Registers `table` (at the version it was loaded at) in `ctx` under `name`.
pub async fn register(ctx: &SessionContext, name: &str, table: &DeltaTable) -> Result<()> {
    table.update_datafusion_session(&ctx.state())?;
    let provider = table.table_provider().await?;
    ctx.register_table(name, provider)?;
    Ok(())
}

/// A bare session that can also read `lake`'s object store (for `s3://` lakes).
fn lake_context(lake: &Lake, options: &SessionOptions) -> SessionContext {
    let ctx = context(options);
    if let Some((url, store)) = lake.object_store() {
        ctx.register_object_store(&url, store);
    }
    ctx
}

/// Opens a session over `tables` of the lake (each at its newest version) and the analyst views.
pub async fn open(lake: &Lake, tables: &[Table], options: &SessionOptions) -> Result<LakeSession> {
    let ctx = lake_context(lake, options);
    let mut versions = BTreeMap::new();
    for &t in tables {
        let table = lake.load(t).await?;
        versions.insert(t, table.version().unwrap_or_default());
        register(&ctx, t.name(), &table).await?;
    }
    if tables.len() == Table::ALL.len() {
        sql::register_views(&ctx, chrono::Utc::now()).await?;
        ctx.register_udtf("findings_at", Arc::new(TableAt::findings(lake.clone())));
        ctx.register_udtf("table_at", Arc::new(TableAt::any(lake.clone())));
    }
    Ok(LakeSession { ctx, versions })
}

/// A session with every evaluation input as an empty table of its schema and the analyst
/// views: what `vexlake policy check` plans a policy against, with no lake.
pub async fn empty_evaluation(options: &SessionOptions) -> Result<SessionContext> {
    let ctx = context(options);
    for t in Table::EVALUATION_INPUTS {
        let schema = t.schema();
        let empty = datafusion::datasource::MemTable::try_new(schema.clone(), vec![vec![]])?;
        ctx.register_table(t.name(), Arc::new(empty))?;
    }
    sql::register_views(&ctx, chrono::Utc::now()).await?;
    crate::evaluate::register_empty_run_context(&ctx)?;
    Ok(ctx)
}

/// Opens a session over each table of `versions` at that Delta version (a replay's inputs).
pub async fn open_at(
    lake: &Lake,
    versions: &BTreeMap<Table, u64>,
    options: &SessionOptions,
) -> Result<LakeSession> {
    let ctx = lake_context(lake, options);
    for (&t, &v) in versions {
        let table = lake.load_version(t, v).await?;
        register(&ctx, t.name(), &table).await?;
    }
    Ok(LakeSession {
        ctx,
        versions: versions.clone(),
    })
}

/// Reads `columns` of `table` for one tenant (used by ingestion to find what is already there).
pub async fn read_columns(
    lake: &Lake,
    table: Table,
    tenant: &str,
    columns: &[&str],
) -> Result<Vec<RecordBatch>> {
    let ctx = lake_context(lake, &SessionOptions::default());
    let loaded = lake.load(table).await?;
    register(&ctx, table.name(), &loaded).await?;
    let df = ctx
        .table(table.name())
        .await?
        .filter(col("tenant").eq(lit(tenant)))?
        .select_columns(columns)?;
    Ok(df.collect().await?)
}

/// Convenience for tests and tools: a session over every table of the lake.
pub async fn open_all(lake: &Lake, options: &SessionOptions) -> Result<LakeSession> {
    open(lake, &Table::ALL, options).await
}

/// A session over every table of the lake; or, when there is no lake at all at that location,
/// `None`: the caller may then go on with a bare [`context`] (functions and the user's own
/// files). A lake with only some of its tables is an error, as with [`open_all`].
pub async fn open_all_if_present(
    lake: &Lake,
    options: &SessionOptions,
) -> Result<Option<LakeSession>> {
    match open_all(lake, options).await {
        Ok(session) => Ok(Some(session)),
        Err(e @ EngineError::MissingTable { .. }) => {
            for &t in &Table::ALL {
                match lake.load(t).await {
                    Err(EngineError::MissingTable { .. }) => {}
                    _ => return Err(e),
                }
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A bare session with vexlake's functions that can read the lake's object store.
pub fn bare(lake: &Lake, options: &SessionOptions) -> SessionContext {
    lake_context(lake, options)
}

/// The string values of column `i` over `batches` (NULLs skipped).
pub fn string_column(batches: &[RecordBatch], i: usize) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        let c = arrow::compute::cast(b.column(i), &arrow::datatypes::DataType::Utf8)?;
        let s = arrow::array::AsArray::as_string::<i32>(&c);
        out.extend(s.iter().flatten().map(str::to_string));
    }
    Ok(out)
}
