#![allow(clippy::print_stderr)] // a benchmark reports on stderr

//! The VEX consensus at scale: N generated statements (10 million by default) land in a lake's
//! `vex_statements` with an issuer directory, then `vex_consensus` is read whole
//! (`count`, conflicts, statement ids), timed.
//!
//! ```text
//! cargo bench -p vexlake --bench vex_consensus                      # 10M statements, temp lake
//! VEXLAKE_BENCH_STATEMENTS=1000000 VEXLAKE_BENCH_LAKE=/tmp/vx10m cargo bench -p vexlake --bench vex_consensus
//! ```
//!
//! With `VEXLAKE_BENCH_LAKE`, a lake that already holds the statements is reused (only the query
//! runs), so `/usr/bin/time -v target/release/vexlake --lake DIR sql -c "..."` can measure the
//! same query's peak memory from the CLI.
//!
//! The statements (seeded, so the same every run): 2 million (vulnerability, product) groups
//! over 500,000 vulnerabilities and npm products of 20,000 packages, each statement about a
//! random group; 60 issuers, 40 of them in the directory (vendor, distro, researcher,
//! community in turn); statuses 40% not_affected, 25% affected, 20% fixed, 15%
//! under_investigation; times spread over two years; 10% verified signatures, 1% invalid; 30%
//! with a GHSA alias.

#[path = "corpus.rs"]
mod corpus;

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{
    ArrayRef, ListBuilder, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
};
use arrow::datatypes::DataType;
use corpus::Rng;
use vexlake::lake::{Lake, Table};
use vexlake::{session, sql};

const SEED: u64 = 0x0000_5EED_0FC0_4E45;
const GROUPS: usize = 2_000_000;
const VULNS: usize = 500_000;
const ISSUERS: usize = 60;
const BATCH: usize = 1_000_000;
const CATEGORIES: [&str; 4] = ["vendor", "distro", "researcher", "community"];

fn strings(values: Vec<Option<String>>) -> ArrayRef {
    Arc::new(StringArray::from(values))
}

/// `rows` statements starting at `first`, as a `vex_statements` batch.
fn batch(rng: &mut Rng, first: usize, rows: usize) -> RecordBatch {
    let schema = Table::VexStatements.schema();
    let base = 1_717_200_000_000_000i64; // 2024-06-01T00:00:00Z in microseconds
    let mut cols: std::collections::HashMap<&str, Vec<Option<String>>> = Default::default();
    let mut times = Vec::with_capacity(rows);
    let mut aliases = ListBuilder::new(StringBuilder::new());
    for i in 0..rows {
        let g = rng.below(GROUPS);
        let (vuln, package) = (g % VULNS, g / VULNS * 5_000 + g % 5_000);
        let version = format!("1.{}.0", g % 7);
        let purl = format!("pkg:npm/pkg{package}@{version}");
        let issuer = rng.below(ISSUERS);
        let status = match rng.below(100) {
            0..40 => "not_affected",
            40..65 => "affected",
            65..85 => "fixed",
            _ => "under_investigation",
        };
        let signature = match rng.below(100) {
            0 => ("invalid", None),
            1..11 => ("verified", Some(format!("sha256:{issuer:064x}"))),
            _ => ("unsigned", None),
        };
        let id = format!("{:064x}", first + i);
        let mut put = |name: &'static str, v: Option<String>| {
            cols.entry(name)
                .or_insert_with(|| Vec::with_capacity(rows))
                .push(v)
        };
        put("tenant", Some("default".into()));
        put("statement_id", Some(id));
        put("issuer", Some(format!("issuer-{issuer}")));
        put("format", Some("openvex".into()));
        put(
            "document_digest",
            Some(format!("sha256:{:064x}", (first + i) / 50)),
        );
        put("vulnerability_id", Some(format!("CVE-2024-{vuln}")));
        put("product_id", Some(purl.clone()));
        put("product_purl", Some(purl.clone()));
        put("product_key", Some(format!("pkg:npm/pkg{package}")));
        put("target_version", Some(version));
        put("scope", Some(purl));
        put("status", Some(status.into()));
        put("signature_state", Some(signature.0.into()));
        put("signature_key", signature.1);
        put("raw", Some("{}".into()));
        put("source_path", Some("generated".into()));
        times.push(base + rng.below(730 * 86_400) as i64 * 1_000_000);
        if rng.below(10) < 3 {
            aliases.values().append_value(format!("GHSA-{vuln:x}"));
        }
        aliases.append(true);
    }
    let aliases: ArrayRef = Arc::new(aliases.finish());
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .map(|f| match (f.name().as_str(), f.data_type()) {
            ("aliases", _) => aliases.clone(),
            (_, DataType::Timestamp(..)) => {
                Arc::new(TimestampMicrosecondArray::from(times.clone()).with_timezone("UTC"))
                    as ArrayRef
            }
            (name, _) => strings(cols.remove(name).unwrap_or_else(|| vec![None; rows])),
        })
        .collect();
    let columns = columns
        .into_iter()
        .zip(schema.fields())
        .map(|(c, f)| arrow::compute::cast(&c, f.data_type()).unwrap())
        .collect();
    RecordBatch::try_new(schema, columns).unwrap()
}

async fn generate(lake: &Lake, statements: usize) {
    let directory: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "[[issuer]]\nid = \"issuer-{i}\"\ncategory = \"{}\"\nkeys = [\"sha256:{i:064x}\"]\n",
                CATEGORIES[i % 4]
            )
        })
        .collect();
    let file = std::env::temp_dir().join("vexlake-bench-issuers.toml");
    std::fs::write(&file, directory.concat()).unwrap();
    let rows = vexlake::ingest::vex::issuers::read(&file, "default").unwrap();
    vexlake::ingest::vex::issuers::store(lake, "default", &rows)
        .await
        .unwrap();
    let mut rng = Rng(SEED);
    let mut first = 0;
    while first < statements {
        let n = BATCH.min(statements - first);
        lake.append(Table::VexStatements, vec![batch(&mut rng, first, n)])
            .await
            .unwrap();
        first += n;
        eprintln!("  {first} statements landed");
    }
}

/// The query this benchmark times; also printed for the CLI. It reads every column of the
/// view, so no part of the consensus is optimized away.
pub const QUERY: &str = "SELECT count(*) AS consensus_rows, \
     sum(CASE WHEN conflict THEN 1 ELSE 0 END) AS conflicts, \
     sum(cardinality(statement_ids)) AS statements_counted, \
     sum(cardinality(sides)) AS sides, \
     count(DISTINCT status) AS statuses, \
     max(winner_statement_id) AS max_winner, \
     count(DISTINCT winner_issuer) AS winner_issuers, \
     sum(winner_priority) AS priorities, \
     count(DISTINCT winner_category) AS categories, \
     count(justification) AS justified, \
     min(winner_timestamp) AS oldest_winner, \
     round(sum(trust), 3) AS trust, \
     count(tenant) + count(vulnerability_id) + count(product_key) + count(k4) + count(package_key) \
       + count(subcomponent_key) + count(target_purl) + count(target_version) \
       + count(target_range) + count(product_cpe) + count(product_digest) + count(bom_link) \
       AS fields \
     FROM vex_consensus";

#[tokio::main]
async fn main() {
    let statements: usize = std::env::var("VEXLAKE_BENCH_STATEMENTS")
        .ok()
        .map(|s| {
            s.replace('_', "")
                .parse()
                .expect("VEXLAKE_BENCH_STATEMENTS: a number")
        })
        .unwrap_or(10_000_000);
    let temp = tempfile::tempdir().unwrap();
    let location =
        std::env::var("VEXLAKE_BENCH_LAKE").unwrap_or_else(|_| temp.path().display().to_string());
    let lake = Lake::open(&location).unwrap();
    lake.init().await.unwrap();
    let present = session::read_columns(&lake, Table::VexStatements, "default", &["statement_id"])
        .await
        .unwrap()
        .iter()
        .map(RecordBatch::num_rows)
        .sum::<usize>();
    if present == 0 {
        let t = Instant::now();
        generate(&lake, statements).await;
        eprintln!(
            "generated {statements} statements in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    } else {
        eprintln!("reusing the {present} statements of {location}");
    }
    let t = Instant::now();
    let s = session::open_all(&lake, &Default::default()).await.unwrap();
    let batches = sql::run_last(&s.ctx, QUERY)
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let elapsed = t.elapsed().as_secs_f64();
    let text = arrow::util::pretty::pretty_format_batches(&batches).unwrap();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: ?")
        .to_string();
    eprintln!("{text}");
    eprintln!("vex_consensus over {location}: {elapsed:.1} s; process peak {hwm}");
    eprintln!("the same query from the CLI:\n  vexlake --lake {location} sql -c \"{QUERY}\"");
}
