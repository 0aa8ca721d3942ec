//! The end to end path on a real S3-compatible server (s3s-fs from crates.io) on loopback.
//! `scripts/test.sh` installs the server; when it is missing this test fails, it never skips.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{AS_OF, Vx, determinism_hash};

struct Server {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn s3s_fs() -> PathBuf {
    let from_env = std::env::var_os("VEXLAKE_S3S_FS").map(PathBuf::from);
    let default =
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/vexlake/tools/bin/s3s-fs"));
    from_env
        .into_iter()
        .chain(default)
        .find(|p| p.is_file())
        .expect(
            "s3s-fs is not installed: run scripts/test.sh (it installs s3s-fs 0.14.1), \
             or set VEXLAKE_S3S_FS to the binary",
        )
}

fn start() -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("lakes")).unwrap();
    let child = Command::new(s3s_fs())
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--access-key",
            "vexlake-test",
            "--secret-key",
            "vexlake-secret",
        ])
        .arg(root.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start s3s-fs");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "s3s-fs did not listen on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server { child, port, root }
}

fn s3_lake(server: &Server, prefix: &str) -> Vx {
    Vx {
        lake: format!("s3://lakes/{prefix}"),
        envs: vec![
            (
                "AWS_ENDPOINT".into(),
                format!("http://127.0.0.1:{}", server.port),
            ),
            ("AWS_ALLOW_HTTP".into(), "true".into()),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID".into(), "vexlake-test".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "vexlake-secret".into()),
        ],
    }
}

#[test]
fn end_to_end_on_s3_matches_a_local_lake() {
    let server = start();
    let s3 = s3_lake(&server, "team/lake");
    s3.ok(&["init"]);
    s3.ingest_sample();
    let first = s3.ok(&["evaluate", "--as-of", AS_OF]);
    let second = s3.ok(&["evaluate", "--as-of", AS_OF]);
    assert!(second.contains("findings version 2:"), "{second}");
    assert_eq!(determinism_hash(&first), determinism_hash(&second));

    // The objects really are on the server.
    let log = server
        .root
        .path()
        .join("lakes/team/lake/findings/_delta_log");
    assert!(
        log.join("00000000000000000002.json").is_file(),
        "{}",
        log.display()
    );
    assert!(
        server
            .root
            .path()
            .join("lakes/team/lake/blobs/sbom")
            .is_dir()
    );

    // The same inputs in a local lake give the same findings and the same hash.
    let dir = tempfile::tempdir().unwrap();
    let local = Vx::local(dir.path());
    local.ok(&["init"]);
    local.ingest_sample();
    let local_out = local.ok(&["evaluate", "--as-of", AS_OF]);
    assert_eq!(determinism_hash(&local_out), determinism_hash(&first));
    let q = "select finding_key, verdict, severity from findings order by finding_key";
    let rows = s3.sql_json(q);
    assert!(rows.len() > 100);
    assert_eq!(rows, local.sql_json(q));

    // A bad document on S3 is rejected and kept there too.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\"bomFormat\": ").unwrap();
    s3.expect(2, &["ingest", "sbom", bad.to_str().unwrap()]);
    assert_eq!(s3.count("select count(*) from rejects"), 1);
}

/// A scan on an S3 lake: its documents, rows and layer cache land on the server, and the
/// second scan of the image reads its layer from that cache.
#[test]
fn a_scan_lands_and_caches_its_layers_on_s3() {
    let server = start();
    let s3 = s3_lake(&server, "scans");
    s3.ok(&["init"]);
    let image = crate::scan::fx("alpine");
    s3.ok(&["scan", &image]);
    s3.ok(&["scan", &image]);
    let caches: Vec<String> = s3
        .sql_json("select payload from events where type = 'scan.completed' order by occurred_at")
        .iter()
        .map(|e| {
            let p: serde_json::Value =
                serde_json::from_str(e["payload"].as_str().unwrap()).unwrap();
            p["cache"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(caches, ["cold", "cached"]);
    assert_eq!(
        s3.count("select count(*) from components where purl like 'pkg:apk/%'"),
        2
    );
    let root = server.root.path().join("lakes/scans");
    let blob = s3.sql_json("select blob_path from artifacts")[0]["blob_path"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(root.join(&blob).is_file(), "{blob}");
    let cached: Vec<_> = std::fs::read_dir(root.join("cache/layers"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .collect();
    assert_eq!(cached.len(), 1);
}

#[test]
fn wrong_credentials_are_a_clear_error() {
    let server = start();
    let mut s3 = s3_lake(&server, "lake");
    s3.envs.retain(|(k, _)| k != "AWS_SECRET_ACCESS_KEY");
    s3.envs
        .push(("AWS_SECRET_ACCESS_KEY".into(), "wrong".into()));
    let out = s3.run(&["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
}
