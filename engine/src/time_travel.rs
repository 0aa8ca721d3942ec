//! Time travel in SQL: `findings_at(version)` and `table_at('name', version)` read a lake table
//! as of a Delta version.

use std::sync::Arc;

use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{ScalarValue, plan_err};
use datafusion::error::Result;
use datafusion::logical_expr::Expr;

use crate::lake::{Lake, Table};

/// A table function over the versions of one table (`findings_at`) or any (`table_at`).
#[derive(Debug)]
pub struct TableAt {
    lake: Lake,
    table: Option<Table>,
}

impl TableAt {
    /// `findings_at(version)`.
    pub fn findings(lake: Lake) -> TableAt {
        TableAt {
            lake,
            table: Some(Table::Findings),
        }
    }

    /// `table_at('name', version)`.
    pub fn any(lake: Lake) -> TableAt {
        TableAt { lake, table: None }
    }

    fn usage(&self) -> &'static str {
        match self.table {
            Some(_) => "findings_at(version), e.g. findings_at(1)",
            None => "table_at('table name', version), e.g. table_at('components', 2)",
        }
    }
}

fn literal(e: &Expr) -> Option<&ScalarValue> {
    match e {
        Expr::Literal(v, _) => Some(v),
        _ => None,
    }
}

fn version(e: &Expr) -> Option<u64> {
    match literal(e)? {
        ScalarValue::Int64(Some(v)) => u64::try_from(*v).ok(),
        ScalarValue::Int32(Some(v)) => u64::try_from(*v).ok(),
        ScalarValue::UInt64(Some(v)) => Some(*v),
        _ => None,
    }
}

impl TableFunctionImpl for TableAt {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let exprs = args.exprs();
        let (table, v) = match (self.table, exprs) {
            (Some(t), [v]) => (t, version(v)),
            (None, [name, v]) => {
                let name = match literal(name) {
                    Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s))) => s.clone(),
                    _ => return plan_err!("usage: {}", self.usage()),
                };
                match name.parse::<Table>() {
                    Ok(t) => (t, version(v)),
                    Err(e) => return plan_err!("{e}; usage: {}", self.usage()),
                }
            }
            _ => return plan_err!("usage: {}", self.usage()),
        };
        let Some(v) = v else {
            return plan_err!(
                "the version must be a non-negative integer; usage: {}",
                self.usage()
            );
        };
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))?;
        let lake = self.lake.clone();
        tokio::task::block_in_place(|| {
            handle.block_on(async move {
                let newest = lake.version(table).await?;
                if v > newest {
                    return plan_err!("{table} has no version {v}: the newest is {newest}");
                }
                let loaded = lake.load_version(table, v).await?;
                loaded.table_provider().await
            })
        })
    }
}
