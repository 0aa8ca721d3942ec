#![allow(clippy::print_stderr)] // a benchmark reports on stderr

//! The cached rescan (the seed's "20 ms fast path"), in criterion: from the call into the
//! scanner to the stitched CycloneDX SBOM in memory, for an image whose layers are all in the
//! lake's layer cache. Lake commits are not in it (landing is `scan::land`, apart).
//!
//! ```text
//! cargo run --release --example scan_cached -- --bench            # the Debian test image
//! VEXLAKE_BENCH_IMAGE=/tmp/vexlake-bench/scan/image/layout cargo run --release --example scan_cached -- --bench
//! ```
//!
//! The image defaults to the scanner's test image `debian:v2` (Debian 12 minbase plus one
//! layer, 96 dpkg packages; `scripts/scan-fixtures.sh` builds it). A criterion bench built as
//! an example shares the release build of the dependencies with the binary (a `cargo bench`
//! target would rebuild them). The first, cold scan that fills the cache is timed once and
//! printed beside.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use indicatif::ProgressBar;
use vexlake::lake::Lake;
use vexlake::scan::formats::{self, Format, RenderOptions};
use vexlake::scan::{self, Cache, CacheUse, Options, Reference};

fn image() -> String {
    std::env::var("VEXLAKE_BENCH_IMAGE").unwrap_or_else(|_| {
        let home = std::env::var("HOME").expect("HOME");
        format!("{home}/.cache/vexlake/fixtures/scan-3/debian:v2")
    })
}

fn cached_rescan(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary lake");
    let lake = Lake::open(dir.path().to_str().expect("utf-8 path")).expect("lake");
    let reference = Reference::parse(&image()).expect("the benchmark image (see the doc comment)");
    let options = Options::default();
    let render = RenderOptions::default();
    let hidden = ProgressBar::hidden();
    let cache = Cache::lake(&lake);
    let started = Instant::now();
    let cold = rt
        .block_on(scan::scan(&reference, &options, &cache, &hidden))
        .expect("the cold scan");
    eprintln!(
        "cold scan (filling the cache): {:.1} ms, {} packages, {} layers",
        started.elapsed().as_secs_f64() * 1e3,
        cold.found.components.len(),
        cold.layers.len()
    );
    let cold_bytes = formats::render(&cold, Format::CdxJson, &render);
    c.bench_function(
        "scan, every layer cached, to CycloneDX JSON in memory",
        |b| {
            b.iter(|| {
                let s = rt
                    .block_on(scan::scan(&reference, &options, &cache, &hidden))
                    .expect("the cached scan");
                assert_eq!(s.cache, CacheUse::Full);
                let bytes = formats::render(&s, Format::CdxJson, &render);
                assert_eq!(bytes.len(), cold_bytes.len());
                bytes
            })
        },
    );
}

criterion_group!(benches, cached_rescan);
criterion_main!(benches);
