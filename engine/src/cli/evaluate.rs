//! `vexlake evaluate`

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{SubsecRound, Utc};

use super::{Globals, out};
use crate::error::Result;
use arrow::array::RecordBatch;

use crate::evaluate::{self, RunOptions, RunReport, SubjectReport, Verdict};
use crate::output::{self, Format};
use crate::policy::{self, Loaded};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The run's clock (RFC 3339), recorded as `evaluated_at`; inputs are always the newest
    /// table versions. Two runs over the same inputs with the same --as-of give identical rows.
    /// [default: now]
    #[arg(long, value_name = "RFC3339")]
    pub as_of: Option<String>,

    /// Exit 1 when any finding's verdict is at least this (PASS < WARN < BLOCK < FAIL).
    #[arg(long, value_enum, value_name = "VERDICT")]
    pub fail_on: Option<Verdict>,

    /// The policy file (TOML; see `vexlake policy --help` and the README).
    /// [default: the shipped datasets/policies/default.toml]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Evaluate one image (by digest, `sha256:...`) and print its findings, reading only that
    /// image's rows of the lake; nothing is committed (the findings table stays the whole
    /// lake's; run `evaluate` without it to commit). With --fail-on, an admission check.
    #[arg(long, value_name = "DIGEST", conflicts_with = "subject")]
    pub image: Option<String>,

    /// As --image, for any subject: an image digest or the id of an SBOM (`sbom_id`).
    #[arg(long, value_name = "ID")]
    pub subject: Option<String>,
}

/// Findings rows a one-subject evaluation prints at most.
const SUBJECT_ROWS_SHOWN: usize = 40;

pub async fn run(globals: &Globals, args: Args) -> Result<ExitCode> {
    let as_of = match &args.as_of {
        Some(s) => evaluate::parse_as_of(s)?,
        None => Utc::now().trunc_subsecs(6),
    };
    let policy = match &args.policy {
        Some(path) => policy::load(path)?,
        None => Loaded::default_policy(),
    };
    let lake = globals.open_lake()?;
    let opts = RunOptions {
        tenant: globals.tenant.clone(),
        as_of,
        policy,
        session: globals.session.clone(),
    };
    let by_verdict = match args.image.as_ref().or(args.subject.as_ref()) {
        Some(subject) => {
            let report = evaluate::check_subject(&lake, &opts, subject).await?;
            print_subject_report(&report)?;
            report.by_verdict
        }
        None => {
            let report = evaluate::run(&lake, &opts).await?;
            print_report(&report)?;
            report.by_verdict
        }
    };
    let failed = args
        .fail_on
        .is_some_and(|threshold| by_verdict.keys().any(|v| *v >= threshold));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The verdict counts, `FAIL n, BLOCK n, WARN n, PASS n`.
fn verdict_counts(by_verdict: &std::collections::BTreeMap<Verdict, usize>) -> String {
    [Verdict::Fail, Verdict::Block, Verdict::Warn, Verdict::Pass]
        .iter()
        .map(|v| format!("{v} {}", by_verdict.get(v).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_subject_report(report: &SubjectReport) -> Result<()> {
    out(format!(
        "evaluate {}: {} findings ({}); {} undecidable (match_state unknown); not committed",
        report.subject,
        report.rows,
        verdict_counts(&report.by_verdict),
        report.unknown
    ))?;
    if report.rows > 0 {
        let shown: Vec<RecordBatch> = report
            .batches
            .iter()
            .map(|b| {
                b.project(&[
                    b.schema().index_of("verdict")?,
                    b.schema().index_of("severity")?,
                    b.schema().index_of("vulnerability_id")?,
                    b.schema().index_of("purl")?,
                    b.schema().index_of("vex_status")?,
                ])
            })
            .collect::<std::result::Result<_, _>>()?;
        let shown = arrow::compute::concat_batches(&shown[0].schema(), &shown)?;
        let head = shown.slice(0, shown.num_rows().min(SUBJECT_ROWS_SHOWN));
        let mut stdout = std::io::stdout().lock();
        output::write(&mut stdout, Format::Table, &head.schema(), &[head])?;
        if report.rows > SUBJECT_ROWS_SHOWN {
            out(format!(
                "... and {} more (the first {SUBJECT_ROWS_SHOWN} are shown); a full `vexlake evaluate` \
                 commits every finding to `findings`",
                report.rows - SUBJECT_ROWS_SHOWN
            ))?;
        }
    }
    out(format!("determinism_hash {}", report.determinism_hash))
}

pub fn print_report(report: &RunReport) -> Result<()> {
    out(format!(
        "evaluate: findings version {}: {} findings ({}); {} undecidable (match_state unknown)",
        report.findings_version,
        report.rows,
        verdict_counts(&report.by_verdict),
        report.unknown
    ))?;
    let changes = ["new", "resolved", "verdict_changed", "severity_changed"]
        .iter()
        .map(|c| format!("{c} {}", report.changes.get(*c).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(", ");
    out(format!(
        "changes since findings version {}: {changes}",
        report.findings_version.saturating_sub(1)
    ))?;
    if !report.budgets.is_empty() {
        let budgets: Vec<String> = report
            .budgets
            .iter()
            .map(|b| {
                let state = match b.state.as_str() {
                    "exceeded" => "EXCEEDED: its unknown findings block".to_string(),
                    "warning" => format!(
                        "warning: at least {:.0}% of the budget",
                        b.warn_threshold * 100.0
                    ),
                    other => other.to_string(),
                };
                format!(
                    "{} {} of {} ({state})",
                    b.environment, b.unknown, b.max_unknown
                )
            })
            .collect();
        out(format!("unknown budgets: {}", budgets.join("; ")))?;
    }
    if !report.exceptions.is_empty() {
        // The first few by name; every one is an `exception.applied` event.
        const SHOWN: usize = 8;
        let mut applied: Vec<String> = report
            .exceptions
            .iter()
            .take(SHOWN)
            .map(|x| {
                let s = if x.findings == 1 { "" } else { "s" };
                format!("{} {} ({} finding{s})", x.id, x.effect, x.findings)
            })
            .collect();
        if report.exceptions.len() > SHOWN {
            applied.push(format!(
                "and {} more (events of type exception.applied)",
                report.exceptions.len() - SHOWN
            ));
        }
        out(format!(
            "exceptions applied ({}): {}",
            report.exceptions.len(),
            applied.join(", ")
        ))?;
    }
    out(format!("determinism_hash {}", report.determinism_hash))
}
