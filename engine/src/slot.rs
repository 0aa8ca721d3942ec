//! A table whose rows are set between the executions of a plan made once.
//!
//! A one-subject check (`evaluate::Checker`) plans the pipeline once, over slots where the
//! subject's rows go (its components, documents, image, runtime signals) and where a stage's
//! output goes for the next stage to read (the matches, the rules' verdicts). Each check fills
//! the slots and executes the same physical plans again: nothing is parsed, optimized or
//! planned per subject. A slot's scan reads the rows that are in it when it executes, not
//! when it was planned.

use std::sync::{Arc, RwLock};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use async_trait::async_trait;
use datafusion::catalog::Session;
use datafusion::common::JoinType;
use datafusion::common::tree_node::{Transformed, TransformedResult, TreeNode, TreeNodeRecursion};
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::joins::{HashJoinExec, PartitionMode};
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    ReplaceChildrenOptions, SendableRecordBatchStream,
};
use datafusion::prelude::SessionContext;

/// The rows of a slot, shared by its table and every scan planned over it.
type Rows = Arc<RwLock<Vec<RecordBatch>>>;

/// A table of a fixed schema whose rows are replaced with [`Slot::set`].
#[derive(Debug, Clone)]
pub struct Slot {
    schema: SchemaRef,
    rows: Rows,
}

impl Slot {
    /// An empty slot of `schema`.
    pub fn new(schema: SchemaRef) -> Self {
        Self {
            schema,
            rows: Arc::new(RwLock::new(Vec::new())),
        }
    }

    /// An empty slot of `schema`, registered in `ctx` as `name` in place of the table or
    /// view of that name.
    pub fn replace(ctx: &SessionContext, name: &str, schema: SchemaRef) -> Result<Self> {
        let slot = Self::new(schema);
        ctx.deregister_table(name)?;
        ctx.register_table(name, Arc::new(slot.clone()))?;
        Ok(slot)
    }

    /// Puts `batches` (of the slot's schema) in the slot, in place of what it held.
    pub fn set(&self, batches: Vec<RecordBatch>) -> Result<()> {
        if let Some(b) = batches
            .iter()
            .find(|b| b.schema().fields() != self.schema.fields())
        {
            return Err(DataFusionError::Internal(format!(
                "a slot of schema {:?} was given rows of schema {:?}",
                self.schema,
                b.schema()
            )));
        }
        *self.rows.write().map_err(poisoned)? = batches;
        Ok(())
    }

    /// The slot's schema.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Empties the slot, so that the rows it held can go.
    pub fn clear(&self) -> Result<()> {
        self.rows.write().map_err(poisoned)?.clear();
        Ok(())
    }
}

fn poisoned<T>(_: T) -> DataFusionError {
    DataFusionError::Internal("a slot's lock was poisoned by a panic".into())
}

#[async_trait]
impl TableProvider for Slot {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Temporary
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = match projection {
            Some(p) => Arc::new(self.schema.project(p)?),
            None => self.schema.clone(),
        };
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Arc::new(SlotExec {
            schema,
            projection: projection.cloned(),
            rows: self.rows.clone(),
            properties: Arc::new(properties),
        }))
    }
}

/// The scan of a [`Slot`]: one partition, the rows in the slot when it executes.
#[derive(Debug)]
struct SlotExec {
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    rows: Rows,
    properties: Arc<PlanProperties>,
}

impl DisplayAs for SlotExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "SlotExec: projection={:?}", self.projection)
    }
}

impl ExecutionPlan for SlotExec {
    fn name(&self) -> &str {
        "SlotExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "a slot has one partition, not {partition}"
            )));
        }
        let batches = self.rows.read().map_err(poisoned)?.clone();
        let batches = match &self.projection {
            Some(p) => batches
                .iter()
                .map(|b| b.project(p))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            None => batches,
        };
        Ok(Box::pin(MemoryStream::try_new(
            batches,
            self.schema.clone(),
            None,
        )?))
    }
}

/// `plan` made ready to execute again (over what its slots hold now): every node's state is
/// reset, as `reset_plan_states` does, but the hash table of an inner join whose build side
/// reads no slot: its rows are the same in every execution (the lake-wide tables a checker
/// keeps), so the table built in the first execution serves the later ones. An inner join
/// keeps nothing else between executions (no rows seen, no rows left to emit). `plan` must
/// have been planned without dynamic filters, which a later execution would read stale.
pub fn reset_for_execution(plan: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>> {
    plan.transform_up(|node| {
        if keeps_build_side(&node)? {
            // Rebuilt over its reset children (`with_new_children`), a hash join shares its
            // built table with the node it was built from.
            Ok(Transformed::no(node))
        } else {
            Ok(Transformed::yes(node.reset_state()?))
        }
    })
    .data()
}

fn keeps_build_side(node: &Arc<dyn ExecutionPlan>) -> Result<bool> {
    let Some(join) = node.downcast_ref::<HashJoinExec>() else {
        return Ok(false);
    };
    if *join.join_type() != JoinType::Inner || *join.partition_mode() != PartitionMode::CollectLeft
    {
        return Ok(false);
    }
    let reads_slot = join.left().exists(|n| Ok(n.is::<SlotExec>()))?;
    Ok(!reads_slot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};
    use datafusion::physical_plan::collect;

    fn batch(schema: &SchemaRef, names: &[&str]) -> RecordBatch {
        let n: Vec<i64> = (0..names.len() as i64).collect();
        RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(names.to_vec())),
                Arc::new(Int64Array::from(n)),
            ],
        )
        .expect("batch")
    }

    /// One plan, executed again with other rows in the slot: each execution reads the rows
    /// in it then, whether the slot is a join's build side (collected again) or its probe
    /// side (the other side's table, built in the first execution, serves the later ones).
    #[tokio::test]
    async fn a_plan_made_once_reads_what_is_in_the_slot_when_it_runs() -> Result<()> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("n", DataType::Int64, false),
        ]));
        let ctx = SessionContext::new();
        ctx.sql("SET datafusion.optimizer.enable_dynamic_filter_pushdown = false")
            .await?
            .collect()
            .await?;
        ctx.sql("SET datafusion.optimizer.join_reordering = false")
            .await?
            .collect()
            .await?;
        let slot = Slot::new(schema.clone());
        ctx.register_table("s", Arc::new(slot.clone()))?;
        ctx.register_batch("t", batch(&schema, &["a", "b", "c"]))?;
        for sql in [
            "SELECT t.name FROM s JOIN t ON s.name = t.name ORDER BY t.name", // sql-ok: the test's own tables
            "SELECT t.name FROM t JOIN s ON s.name = t.name ORDER BY t.name", // sql-ok: the test's own tables
        ] {
            let df = ctx.sql(sql).await?;
            let task = Arc::new(df.task_ctx());
            let plan = df.create_physical_plan().await?;
            let mut seen = Vec::new();
            for rows in [&["a", "c"][..], &["b"][..], &[][..], &["c", "a", "b"][..]] {
                slot.set(vec![batch(&schema, rows)])?;
                let out = collect(reset_for_execution(plan.clone())?, task.clone()).await?;
                let names: Vec<String> = out
                    .iter()
                    .flat_map(|b| {
                        let a = b.column(0).as_any().downcast_ref::<StringArray>().cloned();
                        a.into_iter()
                            .flat_map(|a| (0..a.len()).map(move |i| a.value(i).to_string()))
                    })
                    .collect();
                seen.push(names);
            }
            let want: Vec<Vec<&str>> = vec![vec!["a", "c"], vec!["b"], vec![], vec!["a", "b", "c"]];
            assert_eq!(seen, want, "{sql}");
        }
        let wrong = Arc::new(Schema::new(vec![Field::new("x", DataType::Utf8, false)]));
        let other = RecordBatch::try_new(wrong, vec![Arc::new(StringArray::from(vec!["x"]))])?;
        assert!(slot.set(vec![other]).is_err());
        Ok(())
    }
}
