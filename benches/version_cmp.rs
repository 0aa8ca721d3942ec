//! `version_cmp` throughput on real versions: a fixed, seeded mix of version pairs drawn from the
//! advisories in `../shared/corpus/osv` (every `versions` entry and range event of every
//! non-GIT range, by ecosystem), in 8192-row batches, through the SQL function's Arrow path and
//! through the kernel alone.
//!
//! `cargo bench -p vexlake-udfs --bench version_cmp` (`VEXLAKE_CORPUS` overrides the corpus path).

#[path = "corpus.rs"]
mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion_common::ScalarValue;
use datafusion_common::config::ConfigOptions;
use datafusion_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use vexlake_udfs::kernels::versions::{Scheme, compare};
use vexlake_udfs::version::version_cmp::VersionCmpFunc;

use corpus::Rng;

const ROWS: usize = 8192;
const SEED: u64 = 0x005E_ED0F_0511;

/// Every advisory version in the corpus, by ecosystem (release suffix dropped), distinct.
fn corpus_versions() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in corpus::affected_entries() {
        out.entry(a.ecosystem).or_default().extend(a.versions);
    }
    out.into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

type Row = (String, String, String);

/// `ROWS` (ecosystem, a, b) rows: each ecosystem as often as the corpus names its versions, both
/// versions drawn from that ecosystem's.
fn mixed_rows(corpus: &BTreeMap<String, Vec<String>>, rng: &mut Rng) -> Vec<Row> {
    let weighted: Vec<(&String, &Vec<String>)> = corpus
        .iter()
        .flat_map(|(eco, vs)| std::iter::repeat_n((eco, vs), vs.len()))
        .collect();
    (0..ROWS)
        .map(|_| {
            let (eco, vs) = weighted[rng.below(weighted.len())];
            let (a, b) = (&vs[rng.below(vs.len())], &vs[rng.below(vs.len())]);
            (eco.clone(), a.clone(), b.clone())
        })
        .collect()
}

fn one_ecosystem_rows(eco: &str, vs: &[String], rng: &mut Rng) -> Vec<Row> {
    (0..ROWS)
        .map(|_| {
            let (a, b) = (&vs[rng.below(vs.len())], &vs[rng.below(vs.len())]);
            (eco.to_string(), a.clone(), b.clone())
        })
        .collect()
}

fn arrays(rows: &[Row]) -> Vec<ArrayRef> {
    let column = |f: fn(&Row) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    vec![column(|r| &r.0), column(|r| &r.1), column(|r| &r.2)]
}

fn bench(c: &mut Criterion) {
    let corpus = corpus_versions();
    let mut rng = Rng(SEED);
    let udf = ScalarUDF::from(VersionCmpFunc::new());
    let fields: Vec<_> = ["ecosystem", "a", "b"]
        .iter()
        .map(|n| Arc::new(Field::new(*n, DataType::Utf8, true)))
        .collect();
    let config = Arc::new(ConfigOptions::default());
    let invoke = |args: Vec<ColumnarValue>| {
        udf.invoke_with_args(ScalarFunctionArgs {
            args,
            arg_fields: fields.clone(),
            number_rows: ROWS,
            return_field: Arc::new(Field::new("c", DataType::Int8, true)),
            config_options: config.clone(),
        })
        .unwrap()
    };

    let mut group = c.benchmark_group("version_cmp");
    group.throughput(Throughput::Elements(ROWS as u64));

    let mixed = mixed_rows(&corpus, &mut rng);
    let mixed_arrays = arrays(&mixed);
    group.bench_function("udf/corpus_mix/8192", |bch| {
        bch.iter(|| {
            invoke(
                mixed_arrays
                    .iter()
                    .cloned()
                    .map(ColumnarValue::Array)
                    .collect(),
            )
        })
    });
    group.bench_function("kernel/corpus_mix/8192", |bch| {
        bch.iter(|| {
            mixed
                .iter()
                .filter(|(eco, a, b)| {
                    Scheme::for_ecosystem(eco)
                        .and_then(|s| compare(s, a, b))
                        .is_some()
                })
                .count()
        })
    });

    // Each ecosystem with enough versions on its own, the ecosystem a literal as in a policy.
    for (eco, vs) in corpus.iter().filter(|(_, vs)| vs.len() >= 100) {
        let Some(scheme) = Scheme::for_ecosystem(eco) else {
            continue;
        };
        let rows = one_ecosystem_rows(eco, vs, &mut rng);
        let cols = arrays(&rows);
        let name = eco.replace(' ', "_");
        group.bench_function(format!("udf/{name}/8192"), |bch| {
            bch.iter(|| {
                let mut args: Vec<ColumnarValue> =
                    cols.iter().cloned().map(ColumnarValue::Array).collect();
                args[0] = ColumnarValue::Scalar(ScalarValue::Utf8(Some(eco.clone())));
                invoke(args)
            })
        });
        group.bench_function(format!("kernel/{name}/8192"), |bch| {
            bch.iter(|| {
                rows.iter()
                    .filter(|(_, a, b)| compare(scheme, a, b).is_some())
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
