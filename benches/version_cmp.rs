//! `version_cmp` throughput: a fixed mix of real version pairs (the committed native-tool fixtures,
//! whose versions come from the corpus advisories and SBOMs), 8192-row batches, through the SQL
//! function's Arrow path and through the kernel alone.
//!
//! `cargo bench -p vexlake-udfs --bench version_cmp`

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion_common::ScalarValue;
use datafusion_common::config::ConfigOptions;
use datafusion_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};
use vexlake_udfs::kernels::versions::{Scheme, compare};
use vexlake_udfs::version::version_cmp::VersionCmpFunc;

const ROWS: usize = 8192;

/// (ecosystem, a, b) rows, cycling through the fixtures of every scheme in a fixed order.
fn rows(scheme: &str, ecosystem: &str) -> Vec<(String, String, String)> {
    let path = format!(
        "{}/../tests/fixtures/versions/{scheme}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let p: Vec<&str> = l.split(' ').collect();
            (ecosystem.to_string(), p[0].to_string(), p[2].to_string())
        })
        .collect()
}

fn batch(rows: &[(String, String, String)]) -> Vec<ArrayRef> {
    let take = |f: fn(&(String, String, String)) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(
            (0..ROWS).map(|i| f(&rows[i % rows.len()]).to_string()),
        ))
    };
    vec![take(|r| &r.0), take(|r| &r.1), take(|r| &r.2)]
}

fn bench(c: &mut Criterion) {
    let schemes = [
        ("semver", "npm", Scheme::Semver),
        ("pep440", "PyPI", Scheme::Pep440),
        ("maven", "Maven", Scheme::Maven),
        ("dpkg", "Debian:12", Scheme::Dpkg),
        ("rpm", "AlmaLinux:9", Scheme::Rpm),
        ("rubygems", "RubyGems", Scheme::RubyGems),
    ];
    let mut mixed = Vec::new();
    for (file, eco, _) in schemes {
        mixed.extend(rows(file, eco));
    }
    // A fixed interleaving (every scheme in every batch), no randomness needed.
    let n = mixed.len();
    let mixed: Vec<_> = (0..n).map(|i| mixed[(i * 7919) % n].clone()).collect();

    let udf = ScalarUDF::from(VersionCmpFunc::new());
    let mut group = c.benchmark_group("version_cmp");
    group.throughput(Throughput::Elements(ROWS as u64));
    let arrays = batch(&mixed);
    let fields: Vec<_> = ["ecosystem", "a", "b"]
        .iter()
        .map(|n| Arc::new(Field::new(*n, DataType::Utf8, true)))
        .collect();
    let config = Arc::new(ConfigOptions::default());
    group.bench_function("udf/mixed_ecosystems/8192", |bch| {
        bch.iter(|| {
            let args = ScalarFunctionArgs {
                args: arrays.iter().cloned().map(ColumnarValue::Array).collect(),
                arg_fields: fields.clone(),
                number_rows: ROWS,
                return_field: Arc::new(Field::new("c", DataType::Int8, true)),
                config_options: config.clone(),
            };
            udf.invoke_with_args(args).unwrap()
        })
    });
    for (file, eco, scheme) in schemes {
        let r = rows(file, eco);
        let arrays = batch(&r);
        group.bench_function(format!("udf/{file}/8192"), |bch| {
            bch.iter(|| {
                let mut args: Vec<ColumnarValue> =
                    arrays.iter().cloned().map(ColumnarValue::Array).collect();
                args[0] = ColumnarValue::Scalar(ScalarValue::Utf8(Some(eco.to_string())));
                udf.invoke_with_args(ScalarFunctionArgs {
                    args,
                    arg_fields: fields.clone(),
                    number_rows: ROWS,
                    return_field: Arc::new(Field::new("c", DataType::Int8, true)),
                    config_options: config.clone(),
                })
                .unwrap()
            })
        });
        group.bench_function(format!("kernel/{file}/8192"), |bch| {
            bch.iter(|| {
                (0..ROWS)
                    .filter(|i| {
                        let (_, a, b) = &r[i % r.len()];
                        compare(scheme, a, b).is_some()
                    })
                    .count()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
