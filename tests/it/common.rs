//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

/// A folder of the bundled sample (`sboms`, `advisories`, `vex`).
pub fn sample(sub: &str) -> PathBuf {
    repo().join("datasets/sample").join(sub)
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// The `--as-of` every deterministic test uses.
pub const AS_OF: &str = "2026-06-01T00:00:00Z";

/// A lake and the environment its commands run with.
#[derive(Clone, Debug)]
pub struct Vx {
    pub lake: String,
    pub envs: Vec<(String, String)>,
}

impl Vx {
    pub fn local(dir: &Path) -> Vx {
        Vx {
            lake: dir.display().to_string(),
            envs: Vec::new(),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vexlake"));
        cmd.arg("--lake").arg(&self.lake).args(args);
        cmd.env_remove("VEXLAKE_LAKE")
            .env_remove("VEXLAKE_TENANT")
            .env_remove("RUST_LOG");
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `vexlake --lake LAKE ARGS...`.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run vexlake")
    }

    /// Runs and asserts exit code `code`; returns stdout.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "vexlake {args:?}\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        self.expect(0, args)
    }

    /// Rows of a query, as JSON objects.
    pub fn sql_json(&self, sql: &str) -> Vec<Value> {
        let out = self.ok(&["sql", "--format", "json", "-c", sql]);
        serde_json::from_str::<Value>(out.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
            .as_array()
            .cloned()
            .expect("a JSON array")
    }

    /// One integer from a one-row, one-column query.
    pub fn count(&self, sql: &str) -> i64 {
        let rows = self.sql_json(sql);
        let row = rows.first().and_then(Value::as_object).expect("one row");
        row.values()
            .next()
            .and_then(Value::as_i64)
            .expect("an integer")
    }

    /// Ingests the whole bundled sample.
    pub fn ingest_sample(&self) {
        self.ok(&["ingest", "sbom", sample("sboms").to_str().unwrap()]);
        self.ok(&[
            "ingest",
            "advisories",
            sample("advisories").to_str().unwrap(),
        ]);
        self.ok(&["ingest", "vex", sample("vex").to_str().unwrap()]);
    }
}

/// The `determinism_hash` line of `vexlake evaluate`'s output.
pub fn determinism_hash(evaluate_stdout: &str) -> String {
    evaluate_stdout
        .lines()
        .find_map(|l| l.strip_prefix("determinism_hash "))
        .unwrap_or_else(|| panic!("no determinism_hash in {evaluate_stdout}"))
        .trim()
        .to_string()
}
