//! `version_in_range` throughput on the corpus's own ranges: a fixed, seeded mix of affected
//! entries from `../shared/corpus/osv` (SEMVER and ECOSYSTEM ranges of every ecosystem vexlake
//! reads), each with versions drawn from the same ecosystem's advisories, through the SQL
//! function's Arrow path and through the kernel alone. Three shapes of 8192 rows:
//! `fleet`: 512 entries x 16 rows each, grouped by entry as a join produces them, each row's
//! version drawn from the entry's own package versions (its events and `versions` list), as
//! the components of a fleet that a join meets with an advisory are versions of that package;
//! `join`: the same, but versions drawn from the whole ecosystem's (rarely the same twice);
//! `distinct`: 8192 entries, one version each. `kernel_precompiled` tests versions against ranges
//! compiled beforehand: the cost of parsing a version and walking the events alone.
//!
//! `cargo bench -p vexlake-udfs --bench version_in_range` (`VEXLAKE_CORPUS` overrides the corpus).

#[path = "corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field};
use arrow::json::ReaderBuilder;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion_common::config::ConfigOptions;
use datafusion_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use serde_json::{Value, json};
use vexlake_udfs::kernels::osv_range::{CompiledRanges, Event, Range, version_in_ranges};
use vexlake_udfs::kernels::versions::Scheme;
use vexlake_udfs::version::version_in_range::{VersionInRangeFunc, ranges_data_type};

use corpus::{Affected, Rng};

const ROWS: usize = 8192;
const SEED: u64 = 0x005E_ED0F_0A11;

struct Row {
    ecosystem: String,
    version: String,
    ranges: Vec<Value>,
}

/// Rows for `entries` entries with `per_entry` versions each, drawn with `rng` from the
/// entry's own versions (`own`) or its ecosystem's.
fn rows(
    pool: &[&Affected],
    by_eco: &BTreeMap<&str, Vec<&str>>,
    entries: usize,
    per_entry: usize,
    own: bool,
    rng: &mut Rng,
) -> Vec<Row> {
    let mut out = Vec::with_capacity(entries * per_entry);
    for _ in 0..entries {
        let a = pool[rng.below(pool.len())];
        let own_versions: Vec<&str> = a.versions.iter().map(String::as_str).collect();
        let versions = if own && !own_versions.is_empty() {
            &own_versions
        } else {
            &by_eco[a.ecosystem.as_str()]
        };
        for _ in 0..per_entry {
            out.push(Row {
                ecosystem: a.ecosystem.clone(),
                version: versions[rng.below(versions.len())].to_string(),
                ranges: a.ranges.clone(),
            });
        }
    }
    out
}

/// The ranges column as Arrow builds it from JSON, in the function's own type.
fn ranges_array(rows: &[Row]) -> ArrayRef {
    let field = Arc::new(Field::new("ranges", ranges_data_type(), true));
    let schema = Arc::new(arrow::datatypes::Schema::new(vec![field]));
    let values: Vec<Value> = rows
        .iter()
        .map(|r| {
            let ranges: Vec<Value> = r
                .ranges
                .iter()
                .map(|range| {
                    let events: Vec<Value> = range["events"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| {
                            json!({"introduced": e["introduced"], "fixed": e["fixed"],
                                   "last_affected": e["last_affected"], "limit": e["limit"]})
                        })
                        .collect();
                    json!({"type": range["type"], "events": events})
                })
                .collect();
            json!({ "ranges": ranges })
        })
        .collect();
    let mut decoder = ReaderBuilder::new(schema).build_decoder().unwrap();
    decoder.serialize(&values).unwrap();
    decoder.flush().unwrap().unwrap().column(0).clone()
}

/// The same rows as the kernel takes them.
fn kernel_ranges(r: &Row) -> Vec<Range> {
    r.ranges
        .iter()
        .map(|range| Range {
            kind: range["type"].as_str().and_then(|t| t.parse().ok()),
            events: range["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().map(String::from);
                    Event {
                        introduced: s("introduced"),
                        fixed: s("fixed"),
                        last_affected: s("last_affected"),
                        limit: s("limit"),
                    }
                })
                .collect(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let entries = corpus::affected_entries();
    let pool: Vec<&Affected> = entries
        .iter()
        .filter(|a| Scheme::for_ecosystem(&a.ecosystem).is_some())
        .filter(|a| a.ranges.iter().any(|r| r["type"] != "GIT"))
        .collect();
    let mut by_eco: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for a in &pool {
        by_eco
            .entry(a.ecosystem.as_str())
            .or_default()
            .extend(a.versions.iter().map(String::as_str));
    }
    let udf = ScalarUDF::from(VersionInRangeFunc::new());
    let fields: Vec<_> = ["ecosystem", "version"]
        .iter()
        .map(|n| Arc::new(Field::new(*n, DataType::Utf8, true)))
        .chain([Arc::new(Field::new("ranges", ranges_data_type(), true))])
        .collect();
    let config = Arc::new(ConfigOptions::default());
    let mut rng = Rng(SEED);
    let mut group = c.benchmark_group("version_in_range");
    group.throughput(Throughput::Elements(ROWS as u64));
    for (shape, entries, per_entry, own) in [
        ("fleet", ROWS / 16, 16, true),
        ("join", ROWS / 16, 16, false),
        ("distinct", ROWS, 1, false),
    ] {
        let rows = rows(&pool, &by_eco, entries, per_entry, own, &mut rng);
        let eco: ArrayRef = Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.ecosystem.as_str()),
        ));
        let ver: ArrayRef = Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.version.as_str()),
        ));
        let ranges = ranges_array(&rows);
        group.bench_function(format!("udf/{shape}/8192"), |b| {
            b.iter(|| {
                udf.invoke_with_args(ScalarFunctionArgs {
                    args: vec![
                        ColumnarValue::Array(eco.clone()),
                        ColumnarValue::Array(ver.clone()),
                        ColumnarValue::Array(ranges.clone()),
                    ],
                    arg_fields: fields.clone(),
                    number_rows: ROWS,
                    return_field: Arc::new(Field::new("r", DataType::Boolean, true)),
                    config_options: config.clone(),
                })
                .unwrap()
            })
        });
        let kernel_rows: Vec<(String, String, Vec<Range>)> = rows
            .iter()
            .map(|r| (r.ecosystem.clone(), r.version.clone(), kernel_ranges(r)))
            .collect();
        group.bench_function(format!("kernel/{shape}/8192"), |b| {
            b.iter(|| {
                kernel_rows
                    .iter()
                    .filter(|(e, v, r)| version_in_ranges(e, v, r) == Some(true))
                    .count()
            })
        });
        // The kernel with each row's ranges compiled beforehand: the cost of testing a version
        // alone (parsing it and walking the events), the ceiling for the SQL function.
        let precompiled: Vec<(CompiledRanges, &str)> = kernel_rows
            .iter()
            .map(|(e, v, r)| {
                let ranges = r
                    .iter()
                    .map(|r| (r.kind, r.events.iter().filter_map(Event::kind)));
                (CompiledRanges::new(e, ranges), v.as_str())
            })
            .collect();
        group.bench_function(format!("kernel_precompiled/{shape}/8192"), |b| {
            b.iter(|| {
                precompiled
                    .iter()
                    .filter(|(c, v)| c.contains(v) == Some(true))
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
