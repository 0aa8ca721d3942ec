//! The `vexlake` command line: argument parsing and one module per command. Commands hold no
//! domain logic; they validate flags, call the library and print.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing_subscriber::EnvFilter;

use crate::error::{EngineError, Result};
use crate::lake::Lake;
use crate::session::SessionOptions;

pub mod dataset;
pub mod demo;
pub mod evaluate;
pub mod ingest;
pub mod init;
pub mod policy;
pub mod replay;
pub mod scan;
pub mod sql;

const ABOUT: &str = "vexlake: a supply-chain security lakehouse.

SBOMs, vulnerability advisories and VEX statements land as Delta Lake tables; policy evaluation
is SQL on Apache DataFusion; every evaluation commits its findings as a new table version.";

const AFTER_HELP: &str = "Start here:
  vexlake demo                                  the bundled sample, end to end
  vexlake scan ./image-layout --out sbom.json   an image (layout, archive, registry) to SBOMs
  vexlake ingest sbom bom.cdx.json              an SBOM (CycloneDX or SPDX JSON)
  vexlake ingest advisories osv-dump.zip        OSV advisories (files, directories, .zip)
  vexlake ingest vex vendor.openvex.json        OpenVEX statements
  vexlake ingest runtime signals.jsonl          runtime signals (was a package loaded?)
  vexlake evaluate --fail-on BLOCK              match, apply VEX and policy, commit findings
  vexlake policy check my-policy.toml           validate a policy (evaluate --policy FILE)
  vexlake replay --version 1                    re-run findings version 1, check it is identical
  vexlake sql -c 'select verdict, count(*) from findings group by verdict'

Exit codes: 0 success; 1 a check you asked for failed (--fail-on, replay); 2 error, or some inputs
were rejected (the good ones still landed; see the `rejects` table).";

/// The `vexlake` command line.
#[derive(Debug, Parser)]
#[command(name = "vexlake", version, about = ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Where the lake lives: a directory, file:///path or s3://bucket/prefix (S3 settings
    /// from AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP).
    /// [default: ./lake; for `demo`, a new temporary directory]
    #[arg(long, global = true, env = "VEXLAKE_LAKE", value_name = "URL")]
    pub lake: Option<String>,

    /// The tenant whose data commands read and write.
    #[arg(
        long,
        global = true,
        env = "VEXLAKE_TENANT",
        default_value = "default",
        value_name = "NAME"
    )]
    pub tenant: String,

    /// More logging on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No progress bars and no summaries on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// DataFusion's target partitions (parallelism of queries); the number of cores by default.
    #[arg(
        long,
        global = true,
        env = "VEXLAKE_TARGET_PARTITIONS",
        value_name = "N"
    )]
    pub target_partitions: Option<usize>,

    /// Memory the queries of a run may hold at once (4G, 512M, 50%); past it, sorts and
    /// aggregations spill to temporary files (TMPDIR) instead of failing. [default: half the
    /// machine's memory]
    #[arg(
        long,
        global = true,
        env = "VEXLAKE_MEMORY_LIMIT",
        value_name = "SIZE",
        value_parser = crate::session::parse_memory_size
    )]
    pub memory_limit: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bundled sample end to end: ingest, evaluate, summarize.
    Demo(demo::Args),
    /// Create every table of the lake (safe to repeat).
    Init,
    /// Load SBOMs, advisories or VEX documents into the lake.
    #[command(subcommand)]
    Ingest(ingest::Command),
    /// Scan a container image into SBOMs (CycloneDX 1.6, SPDX 3.0.1) and land it in the lake.
    Scan(scan::Args),
    /// Match components against advisories, apply VEX and the policy, commit the findings.
    Evaluate(evaluate::Args),
    /// Generate datasets into the lake: a synthetic fleet for benchmarks.
    #[command(subcommand)]
    Dataset(dataset::Command),
    /// Check a policy file, or print the SQL it compiles to.
    #[command(subcommand)]
    Policy(policy::Command),
    /// Re-run the evaluation that wrote a findings version and check the rows are identical.
    Replay(replay::Args),
    /// Query the lake with SQL: -c, -f, or an interactive shell.
    Sql(sql::Args),
}

/// What every command gets.
pub struct Globals {
    pub lake_location: String,
    pub tenant: String,
    pub quiet: bool,
    pub session: SessionOptions,
}

impl Globals {
    pub fn open_lake(&self) -> Result<Lake> {
        Lake::open(&self.lake_location)
    }
}

/// Sets up logging to stderr.
pub fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error,buoyant_kernel=off",
        (false, 0) => "warn,buoyant_kernel=off,deltalake_core=error",
        (false, 1) => "info,buoyant_kernel=warn",
        (false, _) => "debug",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs the parsed command line; the exit code follows DESIGN.md's interface table.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    let globals = Globals {
        lake_location: cli.lake.clone().unwrap_or_else(|| "./lake".into()),
        tenant: cli.tenant.clone(),
        quiet: cli.quiet,
        session: SessionOptions {
            target_partitions: cli.target_partitions,
            memory_limit: Some(
                cli.memory_limit
                    .unwrap_or_else(crate::session::default_memory_limit),
            ),
        },
    };
    match cli.command {
        Command::Demo(args) => demo::run(&globals, cli.lake.is_some(), args).await,
        Command::Init => init::run(&globals).await,
        Command::Ingest(cmd) => ingest::run(&globals, cmd).await,
        Command::Scan(args) => scan::run(&globals, args).await,
        Command::Evaluate(args) => evaluate::run(&globals, args).await,
        Command::Policy(cmd) => policy::run(&globals, cmd).await,
        Command::Replay(args) => replay::run(&globals, args).await,
        Command::Dataset(cmd) => dataset::run(&globals, cmd).await,
        Command::Sql(args) => sql::run(&globals, args).await,
    }
}

/// A progress bar on stderr (hidden when quiet or when stderr is not a terminal).
pub fn progress(globals: &Globals, label: &str) -> ProgressBar {
    if globals.quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// Whether an error is a closed stdout (`vexlake sql ... | head`), which is not a failure.
pub fn is_broken_pipe(e: &EngineError) -> bool {
    matches!(e, EngineError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes a line to stdout, mapping a failure to an engine error.
pub(crate) fn out(line: impl std::fmt::Display) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").map_err(|e| EngineError::io("<stdout>", e))
}

/// Writes a line to stderr unless quiet.
pub(crate) fn note(globals: &Globals, line: impl std::fmt::Display) {
    if !globals.quiet {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}
