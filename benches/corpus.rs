#![allow(dead_code)] // each benchmark uses part of it

//! The OSV corpus the benchmarks draw from (`../shared/corpus/osv`, or `VEXLAKE_CORPUS`): every
//! affected entry's ecosystem (release suffix dropped) and ranges, in path order, JSON only.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One affected entry: its ecosystem family and its `ranges` as JSON.
pub struct Affected {
    pub ecosystem: String,
    pub ranges: Vec<Value>,
    pub versions: Vec<String>,
}

pub fn affected_entries() -> Vec<Affected> {
    let root = std::env::var_os("VEXLAKE_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/osv"),
        PathBuf::from,
    );
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (set VEXLAKE_CORPUS)", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for affected in doc["affected"].as_array().into_iter().flatten() {
            let Some(eco) = affected["package"]["ecosystem"].as_str() else {
                continue;
            };
            let ranges: Vec<Value> = affected["ranges"].as_array().cloned().unwrap_or_default();
            let mut versions: Vec<String> = affected["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            for range in &ranges {
                if range["type"] == "GIT" {
                    continue;
                }
                for event in range["events"].as_array().into_iter().flatten() {
                    let values = event.as_object().into_iter().flat_map(|o| o.values());
                    versions.extend(
                        values
                            .filter_map(|v| v.as_str())
                            .filter(|v| *v != "0")
                            .map(String::from),
                    );
                }
            }
            out.push(Affected {
                ecosystem: eco.split(':').next().unwrap_or_default().to_string(),
                ranges,
                versions,
            });
        }
    }
    assert!(
        !out.is_empty(),
        "no OSV advisories under {}",
        root.display()
    );
    out
}

/// xorshift64*: a fixed sequence from its seed, so every run benchmarks the same rows.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}
