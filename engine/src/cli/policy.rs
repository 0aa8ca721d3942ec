//! `vexlake policy check|explain FILE`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Globals, out};
use crate::error::Result;
use crate::policy::{self, compile};
use crate::session;

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
    /// Print the SQL a policy compiles to (the views `eval_exception` and `eval_policy`), its
    /// rules in the order they are tried, its environments, unknown budgets and exceptions
    /// (in rank order), and its hash.
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
    let (_, generated) = compile::plan(&ctx, &loaded, &mut compile::Stages::Compute).await?;
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
        explain_subjects(p)?;
    }
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out(format!(
        "{}: policy {:?} version {:?} is valid: {}, {}, {}, {}; hash {}",
        file.display(),
        p.id,
        p.version,
        count(p.rules.len(), "rule", "rules"),
        count(p.exceptions.len(), "exception", "exceptions"),
        count(p.environments.len(), "environment", "environments"),
        count(p.budgets.len(), "unknown budget", "unknown budgets"),
        p.hash()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `explain`'s account of environments, budgets and exceptions (the tables
/// `policy_environments`, `policy_budgets` and `policy_exceptions` the SQL pipeline joins).
fn explain_subjects(p: &policy::Policy) -> Result<()> {
    if !p.environments.is_empty() {
        out("-- Environments, the first that matches (else `default`):".to_string())?;
        for e in &p.environments {
            let mut how = Vec::new();
            if let Some(r) = &e.repository {
                how.push(format!("repository {r}"));
            }
            if let Some(l) = &e.label {
                how.push(format!("label {l}"));
            }
            out(format!("--   {}: {}", e.name, how.join(" and ")))?;
        }
    }
    if !p.budgets.is_empty() {
        out("-- Unknown budgets (unknown findings that are not PASS):".to_string())?;
        for (env, b) in &p.budgets {
            out(format!(
                "--   {env}: block above {}, warn from {:.0}%",
                b.max_unknown,
                b.warn_threshold * 100.0
            ))?;
        }
    }
    if !p.exceptions.is_empty() {
        out("-- Exceptions by rank (most specific scope, then newest, then id):".to_string())?;
        for x in policy::exceptions::ranked(&p.exceptions) {
            let mut effect = x.effect.clone();
            if let Some(s) = &x.severity {
                effect.push_str(&format!(" to {s}"));
            }
            if let Some(u) = &x.until {
                effect.push_str(&format!(" until {}", u.0));
            }
            if let Some(c) = &x.control {
                effect.push_str(&format!(" with control {c}"));
            }
            let expires = x
                .expires
                .as_ref()
                .map_or("never expires".to_string(), |e| format!("expires {}", e.0));
            out(format!(
                "--   {}: {effect}; scope {}; owner {}; {expires}",
                x.id,
                x.scope.describe(),
                x.owner
            ))?;
        }
    }
    Ok(())
}
