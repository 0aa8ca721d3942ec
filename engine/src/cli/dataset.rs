//! `vexlake dataset fleet`

use std::process::ExitCode;

use clap::Subcommand;

use super::{Globals, out, progress};
use crate::dataset::fleet::{self, FleetOptions};
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a synthetic fleet of container images into the lake: SBOMs (ingested as
    /// `vexlake ingest sbom` would), `images` and `layers` rows, runtime signals, and VEX
    /// statements from four issuers (some contradicting each other). Components
    /// are drawn from the packages the lake's advisories name (ingest them first) so that a
    /// realistic share matches; the same seed and advisories give the same documents.
    #[command(after_help = "Example:
  vexlake ingest advisories ../shared/corpus/osv
  vexlake dataset fleet --images 1000 --seed 1
  vexlake evaluate")]
    Fleet {
        /// How many images.
        #[arg(long, value_name = "N", default_value_t = 1000)]
        images: usize,
        /// The seed: the same seed gives the same fleet.
        #[arg(long, value_name = "S", default_value_t = 1)]
        seed: u64,
    },
}

pub async fn run(globals: &Globals, cmd: Command) -> Result<ExitCode> {
    let Command::Fleet { images, seed } = cmd;
    let lake = globals.open_lake()?;
    let bar = progress(globals, "images");
    let report = fleet::generate(
        &lake,
        &FleetOptions {
            images,
            seed,
            tenant: globals.tenant.clone(),
        },
        &globals.session,
        &bar,
    )
    .await?;
    bar.finish_and_clear();
    let known = report.advisory_affected + report.advisory_fixed;
    let share = |n: usize| 100.0 * n as f64 / report.components.max(1) as f64;
    out(format!(
        "dataset fleet: {} images, {} components ({:.0} per image); {known} ({:.1}%) are \
         packages the advisories name: {} at an affected version ({:.1}%), {} at a fixed one; \
         {} runtime signals; {} VEX statements ({} contradicting another issuer's)",
        report.images,
        report.components,
        report.components as f64 / report.images.max(1) as f64,
        share(known),
        report.advisory_affected,
        share(report.advisory_affected),
        report.advisory_fixed,
        report.runtime_signals,
        report.vex_statements,
        report.vex_conflicts
    ))?;
    if report.pool.is_empty() {
        out(
            "note: the lake has no advisories, so no component matches one; ingest advisories first",
        )?;
    } else {
        let pool: Vec<String> = report
            .pool
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        out(format!("advisory packages drawn from: {}", pool.join(", ")))?;
    }
    Ok(ExitCode::SUCCESS)
}
