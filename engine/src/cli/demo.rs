//! `vexlake demo`: the bundled sample, end to end, into a fresh lake.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{SubsecRound, Utc};

use super::{Globals, ingest::report, out, progress};
use crate::error::{EngineError, Result};
use crate::evaluate::{self, RunOptions};
use crate::output::{self, Format};
use crate::{ingest, sample, session, sql};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(globals: &Globals, lake_given: bool, _args: Args) -> Result<ExitCode> {
    let location = if lake_given {
        globals.lake_location.clone()
    } else {
        let dir = tempfile::Builder::new()
            .prefix("vexlake-demo-")
            .tempdir()
            .map_err(|e| EngineError::io(std::env::temp_dir(), e))?
            .keep();
        dir.display().to_string()
    };
    let lake = crate::lake::Lake::open(&location)?;
    let inputs = tempfile::Builder::new()
        .prefix("vexlake-sample-")
        .tempdir()
        .map_err(|e| EngineError::io(std::env::temp_dir(), e))?;
    sample::extract(inputs.path())?;
    let dir = |d: &str| -> Vec<PathBuf> { vec![inputs.path().join(d)] };

    out(format!(
        "vexlake demo: the bundled sample into the lake at {location}"
    ))?;
    out("")?;
    lake.init().await?;
    let tenant = &globals.tenant;
    let bar = progress(globals, "sboms");
    let s = ingest::sbom::ingest(&lake, tenant, &dir("sboms"), &bar).await?;
    bar.finish_and_clear();
    report(globals, "sbom", &s)?;
    let bar = progress(globals, "advisories");
    let s = ingest::advisory::ingest(&lake, tenant, &dir("advisories"), &Default::default(), &bar)
        .await?;
    bar.finish_and_clear();
    report(globals, "advisories", &s)?;
    let bar = progress(globals, "vex");
    let s = ingest::vex::ingest(&lake, tenant, &dir("vex"), &Default::default(), &bar).await?;
    bar.finish_and_clear();
    report(globals, "vex", &s)?;

    let run = evaluate::run(
        &lake,
        &RunOptions {
            tenant: tenant.clone(),
            as_of: Utc::now().trunc_subsecs(6),
            policy: crate::policy::Loaded::default_policy(),
            session: globals.session.clone(),
        },
    )
    .await?;
    super::evaluate::print_report(&run)?;

    let lake_session = session::open_all(&lake, &globals.session).await?;
    for (title, text) in [
        ("Findings by verdict", sql::demo::BY_VERDICT),
        ("Findings by severity", sql::demo::BY_SEVERITY),
        ("Top findings", sql::demo::TOP_FINDINGS),
    ] {
        let df = sql::run_last(&lake_session.ctx, text).await?;
        let schema = df.schema().inner().clone();
        let batches = df.collect().await?;
        out("")?;
        out(title)?;
        let mut stdout = std::io::stdout().lock();
        output::write(&mut stdout, Format::Table, &schema, &batches)?;
    }

    out("")?;
    out("Try next:")?;
    let lake_arg = shell_quote(&location);
    let mut comment = String::new();
    for line in sql::demo::TRY_NEXT.lines() {
        if let Some(c) = line.strip_prefix("--") {
            comment = c.trim().to_string();
        } else if !line.trim().is_empty() {
            out(format!("  # {comment}"))?;
            out(format!(
                "  vexlake --lake {lake_arg} sql -c {}",
                shell_quote(line.trim())
            ))?;
        }
    }
    out(format!(
        "  vexlake --lake {lake_arg} sql            # an interactive SQL shell"
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn shell_quote(s: &str) -> String {
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-:".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
