//! `vexlake replay --version N`

use std::process::ExitCode;

use super::{Globals, out};
use crate::error::Result;
use crate::evaluate;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  vexlake evaluate --as-of 2026-11-01T00:00:00Z      # writes findings version N
  vexlake replay --version N                          # exit 0: the same rows again

Exit codes: 0 every row identical; 1 a difference (the first one is printed); 2 error (no such
version, no record of the run, an altered record, an input that no longer reads).")]
pub struct Args {
    /// The findings version to replay (`evaluate` prints it; `findings_at(N)` reads it).
    #[arg(long, value_name = "N")]
    pub version: u64,
}

/// Re-runs the evaluation that wrote findings version N from the input table versions, policy
/// and `--as-of` clock it recorded, and checks that the rows come out identical.
pub async fn run(globals: &Globals, args: Args) -> Result<ExitCode> {
    let lake = globals.open_lake()?;
    let report = evaluate::replay(&lake, &globals.tenant, args.version, &globals.session).await?;
    match &report.difference {
        None => {
            out(format!(
                "replay: findings version {}: {} rows identical; determinism_hash {}",
                report.findings_version, report.rows, report.determinism_hash
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(d) => {
            out(format!(
                "replay: findings version {} differs: {d}",
                report.findings_version
            ))?;
            Ok(ExitCode::from(1))
        }
    }
}
