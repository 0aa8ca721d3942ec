//! Printing query results as a table, CSV or JSON.

use std::io::Write;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::error::{EngineError, Result};

/// How `vexlake sql` prints results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    #[default]
    Table,
    /// A header row, then one row per result row; lists print as `[a, b]`.
    Csv,
    /// A JSON array of objects.
    Json,
}

fn io(e: std::io::Error) -> EngineError {
    EngineError::io("<stdout>", e)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes `batches` (with `schema`, for the header when there are no rows) to `out`.
pub fn write(
    out: &mut dyn Write,
    format: Format,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<()> {
    match format {
        Format::Table => {
            let batches: Vec<RecordBatch> = if batches.is_empty() {
                vec![RecordBatch::new_empty(schema.clone())]
            } else {
                batches.to_vec()
            };
            let table = arrow::util::pretty::pretty_format_batches(&batches)?;
            writeln!(out, "{table}").map_err(io)?;
        }
        Format::Csv => {
            let header: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| csv_field(f.name()))
                .collect();
            writeln!(out, "{}", header.join(",")).map_err(io)?;
            let options = FormatOptions::default();
            for batch in batches {
                let formatters = batch
                    .columns()
                    .iter()
                    .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                for row in 0..batch.num_rows() {
                    let fields: Vec<String> = formatters
                        .iter()
                        .map(|f| csv_field(&f.value(row).to_string()))
                        .collect();
                    writeln!(out, "{}", fields.join(",")).map_err(io)?;
                }
            }
        }
        Format::Json => {
            let mut buf = Vec::new();
            {
                let mut writer = arrow::json::ArrayWriter::new(&mut buf);
                let refs: Vec<&RecordBatch> = batches.iter().collect();
                writer.write_batches(&refs)?;
                writer.finish()?;
            }
            if buf.is_empty() {
                buf.extend_from_slice(b"[]");
            }
            out.write_all(&buf).map_err(io)?;
            writeln!(out).map_err(io)?;
        }
    }
    Ok(())
}
