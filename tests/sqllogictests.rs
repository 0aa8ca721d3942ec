//! Runs every `.slt` file under `tests/sqllogictest/` against a vexlake session (every UDF
//! registered). `cargo test --test sqllogictests -- --complete` rewrites the expected results
//! (review the diff); `-- NAME` runs only the files whose path contains NAME.
//!
//! One directive beyond SQL: `LOAD VIEW name` runs the view's definition from `sql/views/`, so
//! that view tests exercise the very SQL the product ships.

#![allow(clippy::print_stdout)] // a test runner reports on stdout

use std::path::{Path, PathBuf};
use std::time::Duration;

use arrow::array::RecordBatch;
use arrow::datatypes::DataType;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use async_trait::async_trait;
use datafusion::prelude::SessionContext;
use sqllogictest::{DBOutput, DefaultColumnType};
use vexlake::session::{SessionOptions, context};
use vexlake::sql::{VIEWS, run_script};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct SltError(String);

struct VexlakeDb {
    ctx: SessionContext,
}

fn column_type(t: &DataType) -> DefaultColumnType {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => DefaultColumnType::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
            DefaultColumnType::FloatingPoint
        }
        _ => DefaultColumnType::Text,
    }
}

fn rows(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>, SltError> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = Vec::new();
    for b in batches {
        let fmts = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SltError(e.to_string()))?;
        for r in 0..b.num_rows() {
            out.push(
                fmts.iter()
                    .map(|f| {
                        let s = f.value(r).to_string();
                        if s.is_empty() {
                            "(empty)".to_string()
                        } else {
                            s
                        }
                    })
                    .collect(),
            );
        }
    }
    Ok(out)
}

#[async_trait]
impl sqllogictest::AsyncDB for VexlakeDb {
    type Error = SltError;
    type ColumnType = DefaultColumnType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<Self::ColumnType>, Self::Error> {
        if let Some(name) = sql.trim().trim_end_matches(';').strip_prefix("LOAD VIEW ") {
            let (_, text) = VIEWS
                .iter()
                .find(|(n, _)| *n == name.trim())
                .ok_or_else(|| SltError(format!("no view {name:?} in sql/views")))?;
            run_script(&self.ctx, text)
                .await
                .map_err(|e| SltError(e.to_string()))?;
            return Ok(DBOutput::StatementComplete(0));
        }
        let frames = run_script(&self.ctx, sql)
            .await
            .map_err(|e| SltError(e.to_string()))?;
        let Some(df) = frames.into_iter().last() else {
            return Ok(DBOutput::StatementComplete(0));
        };
        let schema = df.schema().inner().clone();
        let batches = df.collect().await.map_err(|e| SltError(e.to_string()))?;
        if schema.fields().is_empty() {
            return Ok(DBOutput::StatementComplete(0));
        }
        Ok(DBOutput::Rows {
            types: schema
                .fields()
                .iter()
                .map(|f| column_type(f.data_type()))
                .collect(),
            rows: rows(&batches)?,
        })
    }

    async fn shutdown(&mut self) {}

    fn engine_name(&self) -> &str {
        "vexlake"
    }

    async fn sleep(dur: Duration) {
        tokio::time::sleep(dur).await;
    }
}

fn slt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            slt_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "slt") {
            out.push(p);
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let complete = args.iter().any(|a| a == "--complete");
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sqllogictest");
    let mut files = Vec::new();
    slt_files(&root, &mut files);
    files.sort();
    files.retain(|f| {
        filters.is_empty()
            || filters
                .iter()
                .any(|n| f.to_string_lossy().contains(n.as_str()))
    });
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let make = || async {
            Ok::<_, SltError>(VexlakeDb {
                ctx: context(&SessionOptions {
                    target_partitions: Some(2),
                    // Under a memory pool, as the CLI runs every query.
                    memory_limit: Some(512 << 20),
                }),
            })
        };
        let mut runner = sqllogictest::Runner::new(make);
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        let result = if complete {
            runner
                .update_test_file(
                    file,
                    " ",
                    sqllogictest::default_validator,
                    sqllogictest::default_normalizer,
                    sqllogictest::default_column_validator,
                )
                .await
                .map_err(|e| e.to_string())
        } else {
            runner
                .run_file_async(file)
                .await
                .map_err(|e| e.display(true).to_string())
        };
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok   {rel}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {rel}\n{e}");
            }
        }
    }
    println!("sqllogictest: {passed} passed, {failed} failed");
    if files.is_empty() || failed > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
