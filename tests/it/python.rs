//! Other readers of the lake see the same rows as `vexlake sql`: Python's `deltalake` and Polars
//! at the first evaluation's version and at the latest, DuckDB (delta extension) at the latest.
//! `scripts/test.sh` installs them; a missing package fails the test.

use std::process::Command;

use serde_json::Value;

use crate::common::{AS_OF, Vx, repo};

fn python_rows(reader: &str, table_dir: &std::path::Path, version: Option<u64>) -> Vec<Value> {
    let python = std::env::var("VEXLAKE_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/python/read_findings.py"))
        .arg(reader)
        .arg(table_dir);
    if let Some(v) = version {
        cmd.arg(v.to_string());
    }
    let out = cmd.output().expect("run python3");
    assert!(
        out.status.success(),
        "python {reader} failed (scripts/test.sh installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .cloned()
        .unwrap()
}

#[test]
fn python_readers_see_each_findings_version() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ingest_sample();
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    let q = "select finding_key, verdict, cast(evaluated_at as varchar) as evaluated_at \
             from findings order by finding_key";
    let ours_v1 = vx.sql_json(q);
    vx.ok(&["evaluate", "--as-of", "2026-07-01T12:00:00Z"]);
    let ours_v2 = vx.sql_json(q);

    let table = dir.path().join("findings");
    let theirs_v1 = python_rows("deltalake", &table, Some(1));
    let theirs_v2 = python_rows("deltalake", &table, None);
    assert!(ours_v1.len() > 100);
    let keys = |rows: &[Value]| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| {
                (
                    r["finding_key"].as_str().unwrap().to_string(),
                    r["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(keys(&ours_v1), keys(&theirs_v1));
    assert_eq!(keys(&ours_v2), keys(&theirs_v2));
    // The versions differ in their clock, and each reader sees the right one.
    assert!(theirs_v1.iter().all(|r| {
        r["evaluated_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-06-01T00:00:00")
    }));
    assert!(theirs_v2.iter().all(|r| {
        r["evaluated_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-07-01T12:00:00")
    }));
    assert!(ours_v1.iter().all(|r| {
        r["evaluated_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-06-01")
    }));
}
