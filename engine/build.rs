//! Embeds `datasets/sample/` into the binary, so that `vexlake demo` works from anywhere, and
//! compiles CycloneDX's official protobuf schema (`datasets/schemas/bom-1.6.proto`) into Rust
//! types with protox (a protobuf compiler in Rust, so no `protoc` is needed) and prost.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let sample = manifest.join("../datasets/sample");
    println!("cargo:rerun-if-changed={}", sample.display());
    let mut files = Vec::new();
    walk(&sample, &mut files);
    let mut code = String::from(
        "/// The files of datasets/sample: (relative path, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&sample)
            .expect("under sample")
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().expect("sample file exists");
        writeln!(
            code,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("sample_files.rs");
    std::fs::write(out, code).expect("write generated sample list");
    compile_cyclonedx_proto(&manifest);
}

fn compile_cyclonedx_proto(manifest: &Path) {
    let schemas = manifest.join("../datasets/schemas");
    let proto = schemas.join("bom-1.6.proto");
    println!("cargo:rerun-if-changed={}", proto.display());
    let descriptors = protox::compile([&proto], [&schemas]).expect("bom-1.6.proto compiles");
    prost_build::Config::new()
        .compile_fds(descriptors)
        .expect("prost generates the CycloneDX types");
}
