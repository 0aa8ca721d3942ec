//! Writers that really overlap: every commit lands (optimistic concurrency with retry) or fails
//! with a clear error, and the table stays readable.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Barrier;
use vexlake::ingest::{Kind, Reject, write_rejects};
use vexlake::lake::{Lake, Table};

use crate::common::{Vx, sample};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_in_one_process_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    lake.init().await.unwrap();
    let writers = 6;
    let barrier = Arc::new(Barrier::new(writers));
    let mut tasks = Vec::new();
    for w in 0..writers {
        let lake = lake.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let rejects: Vec<Reject> = (0..10)
                .map(|i| Reject {
                    source: format!("writer-{w}/doc-{i}"),
                    reason: "test".into(),
                    raw: vec![w as u8; i],
                })
                .collect();
            barrier.wait().await;
            write_rejects(&lake, "default", Kind::Sbom, &rejects).await
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("every append lands");
    }
    assert_eq!(lake.version(Table::Rejects).await.unwrap(), writers as u64);
    let vx = Vx::local(dir.path());
    assert_eq!(
        vx.count("select count(*) from rejects"),
        (writers * 10) as i64
    );
    assert_eq!(
        vx.count("select count(distinct source) from rejects"),
        (writers * 10) as i64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_overwrites_land_one_after_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::open(dir.path().to_str().unwrap()).unwrap();
    lake.init().await.unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for w in 0..2u8 {
        let lake = lake.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let schema = Table::Findings.schema();
            let mut cols: Vec<arrow::array::ArrayRef> = Vec::new();
            for f in schema.fields() {
                cols.push(match f.name().as_str() {
                    "finding_key" => {
                        Arc::new(arrow::array::StringArray::from(vec![format!("k{w}")]))
                    }
                    _ => arrow::array::new_null_array(f.data_type(), 1),
                });
            }
            let batch = arrow::array::RecordBatch::try_new(schema, cols).unwrap();
            barrier.wait().await;
            lake.overwrite(Table::Findings, vec![batch]).await
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => versions.push(v),
            Err(e) => assert!(
                e.to_string().contains("concurrent"),
                "unexpected error: {e}"
            ),
        }
    }
    assert!(!versions.is_empty());
    versions.sort();
    versions.dedup();
    // Each landed overwrite is its own version, and the table holds exactly one writer's row.
    assert_eq!(
        lake.version(Table::Findings).await.unwrap(),
        *versions.last().unwrap()
    );
    let vx = Vx::local(dir.path());
    assert_eq!(vx.count("select count(*) from findings"), 1);
}

#[test]
fn two_processes_ingesting_at_once_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    // No init: both writers also race to create the tables.
    let go = sample("advisories/go-vulndb");
    let ghsa = sample("advisories/ghsa");
    let started = Instant::now();
    let mut a = vx
        .command(&["ingest", "advisories", go.to_str().unwrap()])
        .spawn()
        .unwrap();
    let mut b = vx
        .command(&["ingest", "advisories", ghsa.to_str().unwrap()])
        .spawn()
        .unwrap();
    // Both are still running once both have started: the writers overlap.
    assert!(a.try_wait().unwrap().is_none() && b.try_wait().unwrap().is_none());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    eprintln!("both writers done in {:?}", started.elapsed());
    let files = |d: &std::path::Path| std::fs::read_dir(d).unwrap().count() as i64;
    assert_eq!(
        vx.count("select count(*) from advisory_raw"),
        files(&go) + files(&ghsa)
    );
    assert_eq!(
        vx.count("select count(*) from advisory_observations"),
        files(&go) + files(&ghsa)
    );
    // Each writer's rows are one commit that adds files: exactly two such commits. (When both
    // create the table at the same moment, the creation may take one commit more; that one
    // adds no data.)
    let log = dir.path().join("advisory_raw/_delta_log");
    let data_commits = std::fs::read_dir(&log)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("{\"add\":"))
        .count();
    assert_eq!(
        data_commits,
        2,
        "{:?}",
        std::fs::read_dir(&log).unwrap().count()
    );
}
