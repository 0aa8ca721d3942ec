//! `vexlake policy check|explain FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Globals, out};
use crate::error::Result;
use crate::policy::{self, compile};
use crate::{session, sql};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a policy file: its fields, weights, verdicts and severities, and every rule's
    /// `when` planned against the finding context (an unknown column, a function that does not
    /// exist or a condition that is not true/false is an error naming the rule and its place
    /// in the file). Exit 0 when valid, 2 otherwise. No lake is needed.
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the SQL a policy compiles to (the view `eval_policy`), its rules in the order
    /// they are tried, and its hash.
    Explain {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub async fn run(globals: &Globals, cmd: Command) -> Result<ExitCode> {
    let (file, explain) = match &cmd {
        Command::Check { file } => (file, false),
        Command::Explain { file } => (file, true),
    };
    let loaded = policy::load(file)?;
    // The finding context over empty tables: what every rule may read.
    let ctx = session::empty_evaluation(&globals.session).await?;
    compile::register_tables(&ctx, &loaded.policy)?;
    sql::run_script(&ctx, sql::EVALUATE).await?;
    compile::check_conditions(&ctx, &loaded).await?;
    let generated = compile::policy_sql(&loaded)?;
    sql::run_script(&ctx, &generated).await?;
    sql::run_last(&ctx, sql::FINDINGS).await?;
    let p = &loaded.policy;
    if explain {
        out(generated.trim_end().to_string())?;
        out(String::new())?;
        out("-- Rules in the order they are tried:".to_string())?;
        for (n, (_, r)) in p.ordered_rules().into_iter().enumerate() {
            let mut actions = Vec::new();
            if let Some(v) = &r.verdict {
                actions.push(format!("verdict {v}"));
            }
            if let Some(s) = &r.severity {
                actions.push(format!("severity {s}"));
            }
            if r.escalate {
                actions.push("escalate".into());
            }
            for (k, v) in &r.annotate {
                actions.push(format!("annotate {k}={v}"));
            }
            if let Some(w) = &r.warn {
                actions.push(format!("warn {w:?}"));
            }
            out(format!(
                "--   {}. {} (priority {}): {}",
                n + 1,
                r.id,
                r.priority,
                actions.join(", ")
            ))?;
        }
        out(format!("--   otherwise: verdict {}", p.defaults.verdict))?;
    }
    out(format!(
        "{}: policy {:?} version {:?} is valid: {} rules; hash {}",
        file.display(),
        p.id,
        p.version,
        p.rules.len(),
        p.hash()
    ))?;
    Ok(ExitCode::SUCCESS)
}
