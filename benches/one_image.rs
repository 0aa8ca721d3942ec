//! The one-image benchmark (benches/README.md): one subject of a lake evaluated with
//! `vexlake::evaluate::Checker` (what `vexlake evaluate --image` runs), several times in one
//! process. The first evaluation opens the checker (pins the lake, computes what does not
//! depend on the subject, plans the pipeline) and checks; the later ones are checks alone,
//! what an admission check in a long-running process costs. Prints every run's time, then
//! the median, the 95th percentile and the extremes of the runs after the first.
//!
//!   cargo run --release --example one_image -- LAKE [SUBJECT] [RUNS]
//!
//! SUBJECT defaults to the image whose inventory is nearest 500 components (ties: the
//! smallest digest; `-` asks for it when RUNS follows); RUNS to 21. Build it with the release
//! profile, as the `vexlake` binary: an example shares its dependencies' build, where a
//! `cargo bench` target rebuilds them.

// A benchmark reports on stdout.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use chrono::{TimeZone, Utc};
use vexlake::evaluate::{Checker, RunOptions};
use vexlake::lake::{Lake, Table};
use vexlake::policy::Loaded;
use vexlake::session::{self, SessionOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // RUST_LOG=vexlake=info shows the time of each step of a run.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .try_init();
    let mut args = std::env::args().skip(1);
    let location = args
        .next()
        .ok_or("usage: one_image LAKE [SUBJECT] [RUNS]")?;
    let lake = Lake::open(&location)?;
    let options = SessionOptions {
        target_partitions: None,
        memory_limit: Some(session::default_memory_limit()),
    };
    let (subject, components) = match args.next() {
        Some(s) if s != "-" => (s, None),
        _ => nearest_500(&lake, &options).await?,
    };
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(21);
    let opts = RunOptions {
        tenant: "default".into(),
        as_of: Utc
            .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
            .single()
            .ok_or("clock")?,
        policy: Loaded::default_policy(),
        session: options,
    };
    let mut times = Vec::new();
    let mut hashes = std::collections::BTreeSet::new();
    let mut rows = 0;
    let started = Instant::now();
    let mut checker = Checker::open(&lake, &opts).await?;
    let opened = started.elapsed().as_secs_f64() * 1000.0;
    println!("checker opened in {opened:.1} ms");
    for run in 1..=runs.max(2) {
        let started = Instant::now();
        let report = checker.check(&subject).await?;
        let mut ms = started.elapsed().as_secs_f64() * 1000.0;
        if run == 1 {
            ms += opened;
        }
        println!("run {run}: {ms:.1} ms, {} findings", report.rows);
        times.push(ms);
        hashes.insert(report.determinism_hash);
        rows = report.rows;
    }
    if hashes.len() != 1 {
        return Err(format!("the runs disagree: determinism hashes {hashes:?}").into());
    }
    let mut later = times[1..].to_vec();
    later.sort_by(f64::total_cmp);
    let median = later[later.len() / 2];
    // The nearest-rank 95th percentile.
    let p95 = later[(later.len() * 95).div_ceil(100).max(1) - 1];
    let components = components.map_or(String::new(), |c| format!(", {c} components"));
    println!(
        "subject {subject}{components}: {rows} findings; first run (opening included) {:.1} ms, \
         median of the {} later runs {median:.1} ms (min {:.1}, p95 {p95:.1}, max {:.1})",
        times[0],
        later.len(),
        later[0],
        later[later.len() - 1]
    );
    Ok(())
}

/// The image whose inventory is nearest 500 components, and its count.
async fn nearest_500(
    lake: &Lake,
    options: &SessionOptions,
) -> Result<(String, Option<i64>), Box<dyn std::error::Error>> {
    let s = session::open(lake, &[Table::Components], options).await?;
    let batches = s
        .ctx
        .sql(
            "SELECT image_digest, count(*) AS n FROM components \
             WHERE view = 'inventory' AND image_digest IS NOT NULL GROUP BY image_digest \
             ORDER BY abs(count(*) - 500), image_digest LIMIT 1",
        )
        .await?
        .collect()
        .await?;
    let digest = session::string_column(&batches, 0)?
        .into_iter()
        .next()
        .ok_or("the lake has no image with an inventory")?;
    let n = session::string_column(&batches, 1)?
        .first()
        .and_then(|n| n.parse().ok());
    Ok((digest, n))
}
