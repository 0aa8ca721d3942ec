//! One DataFusion session over the lake: every table registered under its name (pinned at the
//! version loaded when the session opened), every vexlake function, and the analyst views.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::Arc;

use arrow::array::RecordBatch;
use datafusion::execution::config::SessionConfig;
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
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
    /// Bytes the session's queries may hold at once; beyond it sorts and aggregations spill
    /// to temporary files. Unbounded when not set (the CLI always sets one).
    pub memory_limit: Option<usize>,
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
    let ctx = match options.memory_limit {
        Some(limit) => {
            // A fair share for every operator that can spill; the error of one that cannot
            // names the five largest consumers.
            let pool = TrackConsumersPool::new(
                FairSpillPool::new(limit),
                NonZeroUsize::new(5).expect("5 is not zero"),
            );
            let runtime = RuntimeEnvBuilder::new()
                .with_memory_pool(Arc::new(pool))
                .build_arc();
            match runtime {
                Ok(runtime) => SessionContext::new_with_config_rt(config, runtime),
                Err(e) => {
                    tracing::warn!("no memory pool ({e}); running without a memory limit");
                    SessionContext::new_with_config(config)
                }
            }
        }
        None => SessionContext::new_with_config(config),
    };
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

/// The memory the machine gives this process: the smaller of its physical memory and its
/// cgroup's limit (Linux); `None` where neither can be read.
pub fn machine_memory() -> Option<usize> {
    let physical = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
            .map(|kib| kib * 1024)
    });
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .find_map(|p| {
        std::fs::read_to_string(p)
            .ok()?
            .trim()
            .parse::<usize>()
            .ok()
    });
    match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    }
}

/// The default `--memory-limit`: half the machine's memory (the rest is for the process's
/// own tables, the findings it writes and the page cache), 2 GiB where it cannot be read.
pub fn default_memory_limit() -> usize {
    machine_memory().map_or(2 << 30, |m| m / 2)
}

/// Parses a memory size: bytes, or a number with K, M, G or T (powers of 1024; `KiB`, `MB`
/// and `GB` read the same), or a percentage of the machine's memory (`50%`).
pub fn parse_memory_size(text: &str) -> std::result::Result<usize, String> {
    let s = text.trim();
    let bad =
        || format!("{text:?} is not a memory size (examples: 4G, 512M, 1.5GiB, 50%, 1073741824)");
    if let Some(pct) = s.strip_suffix('%') {
        let pct: f64 = pct.trim().parse().map_err(|_| bad())?;
        if !(pct > 0.0 && pct <= 100.0) {
            return Err(format!(
                "{text:?}: a percentage must be above 0 and at most 100"
            ));
        }
        let machine = machine_memory().ok_or_else(|| {
            format!("{text:?}: the machine's memory cannot be read; give a size instead")
        })?;
        return Ok((machine as f64 * pct / 100.0) as usize);
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let unit = unit.trim().to_ascii_uppercase();
    let unit = unit.trim_end_matches('B').trim_end_matches('I');
    let scale: f64 = match unit {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = number * scale;
    if bytes < (16 << 20) as f64 {
        return Err(format!("{text:?}: the memory limit must be at least 16M"));
    }
    Ok(bytes as usize)
}

/// `batch` with its string and binary views copied into buffers of their own. A view array
/// cut from a larger one (by a filter, a join, a slice) keeps every buffer of the original
/// alive: a few thousand matches could hold every component's strings. Compacted, a kept
/// result holds only its own bytes.
pub fn compact(batch: &RecordBatch) -> Result<RecordBatch> {
    let columns = batch.columns().iter().map(compact_array).collect();
    Ok(RecordBatch::try_new(batch.schema(), columns)?)
}

fn compact_array(array: &arrow::array::ArrayRef) -> arrow::array::ArrayRef {
    use arrow::array::{Array, AsArray, StructArray};
    use arrow::datatypes::DataType;
    match array.data_type() {
        DataType::Utf8View => Arc::new(array.as_string_view().gc()),
        DataType::BinaryView => Arc::new(array.as_binary_view().gc()),
        DataType::List(field) => compact_list(field, array.as_list::<i32>()),
        DataType::LargeList(field) => compact_list(field, array.as_list::<i64>()),
        DataType::Struct(fields) => {
            let s = array.as_struct();
            Arc::new(StructArray::new(
                fields.clone(),
                s.columns().iter().map(compact_array).collect(),
                s.nulls().cloned(),
            ))
        }
        _ => array.clone(),
    }
}

/// A list array with its values compacted ([`compact_array`]).
fn compact_list<O: arrow::array::OffsetSizeTrait>(
    field: &arrow::datatypes::FieldRef,
    list: &arrow::array::GenericListArray<O>,
) -> arrow::array::ArrayRef {
    use arrow::array::Array;
    Arc::new(arrow::array::GenericListArray::<O>::new(
        field.clone(),
        list.offsets().clone(),
        compact_array(list.values()),
        list.nulls().cloned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_memory_size;

    #[test]
    fn memory_sizes() {
        assert_eq!(parse_memory_size("4G"), Ok(4 << 30));
        assert_eq!(parse_memory_size("512M"), Ok(512 << 20));
        assert_eq!(parse_memory_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_memory_size("2gb"), Ok(2 << 30));
        assert_eq!(parse_memory_size("33554432"), Ok(32 << 20));
        assert!(
            parse_memory_size("1K")
                .unwrap_err()
                .contains("at least 16M")
        );
        assert!(
            parse_memory_size("4X")
                .unwrap_err()
                .contains("not a memory size")
        );
        assert!(parse_memory_size("0%").unwrap_err().contains("percentage"));
        assert!(parse_memory_size("G").is_err());
    }
}
