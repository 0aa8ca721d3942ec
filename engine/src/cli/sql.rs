//! `vexlake sql`: run SQL against the lake (-c, -f, or an interactive shell).

use std::path::PathBuf;
use std::process::ExitCode;

use datafusion::prelude::SessionContext;
use rustyline::error::ReadlineError;

use super::{Globals, note};
use crate::error::{EngineError, Result};
use crate::output::{self, Format};
use crate::session;
use crate::sql::run_script;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// SQL to run: one or more `;`-separated statements. CREATE EXTERNAL TABLE ... STORED AS
    /// CSV|PARQUET|JSON LOCATION '...' joins your own files with the lake (CSV columns are text
    /// unless you declare their types: versions keep their digits). Without a lake, vexlake's
    /// functions and your own files still work.
    #[arg(
        short = 'c',
        long = "command",
        value_name = "SQL",
        conflicts_with = "file"
    )]
    pub command: Option<String>,

    /// A file of `;`-separated statements.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// How results print.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Runs every statement of `text` and prints the results of those that return rows.
async fn execute(
    ctx: &SessionContext,
    text: &str,
    format: Format,
    globals: &Globals,
) -> Result<()> {
    for df in run_script(ctx, text).await? {
        let started = std::time::Instant::now();
        let schema = df.schema().inner().clone();
        let batches = df.collect().await?;
        let elapsed = started.elapsed();
        if schema.fields().is_empty() {
            continue;
        }
        let mut stdout = std::io::stdout().lock();
        output::write(&mut stdout, format, &schema, &batches)?;
        // On stderr, whatever the format: csv and json output stay clean.
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        note(
            globals,
            format!("{rows} row(s) in {:.1} ms", elapsed.as_secs_f64() * 1000.0),
        );
    }
    Ok(())
}

pub async fn run(globals: &Globals, args: Args) -> Result<ExitCode> {
    let lake = globals.open_lake()?;
    // Without a lake, SQL still works on vexlake's functions and the user's own files.
    let ctx = &match session::open_all_if_present(&lake, &globals.session).await? {
        Some(lake_session) => lake_session.ctx,
        None => {
            note(
                globals,
                format!(
                    "no lake at {}: only vexlake's functions and your own files \
                     (CREATE EXTERNAL TABLE) are there; `vexlake init` makes one",
                    lake.root()
                ),
            );
            session::bare(&lake, &globals.session)
        }
    };
    if let Some(text) = &args.command {
        execute(ctx, text, args.format, globals).await?;
    } else if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path).map_err(|e| EngineError::io(path, e))?;
        execute(ctx, &text, args.format, globals).await?;
    } else {
        repl(ctx, args.format, globals).await?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn repl(ctx: &SessionContext, format: Format, globals: &Globals) -> Result<()> {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| EngineError::io("<terminal>", std::io::Error::other(e)))?;
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".vexlake_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    note(
        globals,
        "vexlake SQL shell. End statements with ';'. \\d lists tables, \\q quits.",
    );
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            "vexlake> "
        } else {
            "     ..> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                let trimmed = line.trim();
                if buffer.is_empty() {
                    match trimmed {
                        "" => continue,
                        "\\q" | "quit" | "exit" => break,
                        "\\d" => {
                            let _ = editor.add_history_entry(trimmed);
                            if let Err(e) = execute(ctx, "SHOW TABLES", format, globals).await {
                                note(globals, format!("error: {e}"));
                            }
                            continue;
                        }
                        _ => {}
                    }
                }
                buffer.push_str(&line);
                buffer.push('\n');
                if trimmed.ends_with(';') {
                    let text = std::mem::take(&mut buffer);
                    let _ = editor.add_history_entry(text.trim());
                    if let Err(e) = execute(ctx, &text, format, globals).await {
                        note(globals, format!("error: {e}"));
                    }
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(EngineError::io("<terminal>", std::io::Error::other(e))),
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}
