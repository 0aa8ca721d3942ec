//! The CLI end to end on local lakes: ingest -> evaluate -> sql, determinism, rejects, exit
//! codes, SQL formats.

use std::path::Path;

use crate::common::{AS_OF, Vx, determinism_hash, fixture, sample};

/// Every finding, in a fixed order, as CSV (all columns).
fn findings_csv(vx: &Vx) -> String {
    vx.ok(&[
        "sql",
        "--format",
        "csv",
        "-c",
        "select * from findings order by finding_key",
    ])
}

#[test]
fn evaluate_twice_in_two_processes_gives_the_same_rows_and_hash() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ok(&["init"]);
    vx.ingest_sample();

    let first = vx.ok(&["--target-partitions", "4", "evaluate", "--as-of", AS_OF]);
    let rows_first = findings_csv(&vx);
    let second = vx.ok(&["--target-partitions", "1", "evaluate", "--as-of", AS_OF]);
    let rows_second = findings_csv(&vx);

    assert!(first.contains("findings version 1:"), "{first}");
    assert!(second.contains("findings version 2:"), "{second}");
    assert_eq!(determinism_hash(&first), determinism_hash(&second));
    assert!(
        rows_first.lines().count() > 100,
        "real findings expected:\n{rows_first}"
    );
    assert_eq!(rows_first, rows_second);

    // Another clock changes evaluated_at, hence the hash, but not which findings exist.
    let third = vx.ok(&["evaluate", "--as-of", "2026-07-01T00:00:00Z"]);
    assert_ne!(determinism_hash(&first), determinism_hash(&third));
    assert_eq!(
        vx.count("select count(*) from findings"),
        (rows_first.lines().count() - 1) as i64
    );
    let hashes = vx.sql_json("select count(distinct determinism_hash) as n from findings");
    assert_eq!(hashes[0]["n"], 1);
}

#[test]
fn findings_are_the_real_matches() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ingest_sample();
    let out = vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert!(
        out.contains("; 2 undecidable (match_state unknown)"),
        "{out}"
    );

    // Checked by hand against the advisories' ranges: gin v1.4.0 in proton-bridge is before
    // the fixes of GO-2020-0001 (1.6.0), GO-2021-0052 (1.7.7) and GO-2023-1737 (1.9.1).
    // The run reports how many findings are undecidable: here hyper "0.14" (below) against its
    // two RustSec advisories.
    let unknown = vx.count("select count(*) from findings where match_state = 'unknown'");
    assert_eq!(unknown, 2);
    let gin = vx.sql_json(
        "select vulnerability_id, version, match_state from findings \
         where package = 'github.com/gin-gonic/gin' order by vulnerability_id",
    );
    let ids: Vec<&str> = gin
        .iter()
        .map(|r| r["vulnerability_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["GO-2020-0001", "GO-2021-0052", "GO-2023-1737"]);
    assert!(
        gin.iter()
            .all(|r| r["version"] == "v1.4.0" && r["match_state"] == "affected")
    );

    // SPDX example 11 names hyper "0.14": not a SemVer version, so whether it is before
    // RUSTSEC-2021-0079's fix 0.14.10 is undecidable. The finding is kept as *unknown* (never a
    // silent miss, never a guess) and warned; its CVSS 3.1 vector still scores 9.1.
    let hyper = vx.sql_json(
        "select severity, cvss_score, verdict, match_state, aliases from findings \
         where vulnerability_id = 'RUSTSEC-2021-0079'",
    );
    assert_eq!(hyper.len(), 1);
    assert_eq!(hyper[0]["severity"], "critical");
    assert_eq!(hyper[0]["cvss_score"], 9.1);
    assert_eq!(hyper[0]["match_state"], "unknown");
    assert_eq!(hyper[0]["verdict"], "WARN");
    assert!(
        hyper[0]["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "CVE-2021-32714")
    );

    // finding_key is sha256 over tenant, subject, purl and vulnerability id.
    let keys = vx.sql_json(
        "select count(*) as n, count(distinct finding_key) as k, \
         sum(case when finding_key = encode(sha256(concat_ws(chr(31), tenant, subject, purl, vulnerability_id)), 'hex') then 1 else 0 end) as same \
         from findings",
    );
    assert_eq!(keys[0]["n"], keys[0]["k"]);
    assert_eq!(keys[0]["n"], keys[0]["same"]);

    // input_versions name the tables read, never findings.
    let iv = vx.sql_json("select distinct input_versions from findings");
    let iv = iv[0]["input_versions"].as_str().unwrap();
    assert!(
        iv.contains("\"components\":1") && iv.contains("\"advisory_affected\":1"),
        "{iv}"
    );
    assert!(!iv.contains("findings"), "{iv}");
}

#[test]
fn a_fixed_version_does_not_match() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ok(&[
        "ingest",
        "sbom",
        fixture("negative/zookeeper-3.9.2-cyclonedx.json")
            .to_str()
            .unwrap(),
    ]);
    vx.ok(&[
        "ingest",
        "advisories",
        fixture("negative/GHSA-6mjq-h674-j845.json")
            .to_str()
            .unwrap(),
    ]);
    let out = vx.ok(&["evaluate", "--as-of", AS_OF, "--fail-on", "WARN"]);
    assert!(out.contains(": 0 findings"), "{out}");
    // The package is there and the advisory names it: only the version rules it out.
    assert_eq!(
        vx.count(
            "select count(*) from components where package_key = 'pkg:maven/io.netty/netty-handler'"
        ),
        1
    );
    assert_eq!(
        vx.count("select count(*) from advisory_affected where package_key = 'pkg:maven/io.netty/netty-handler'"),
        1
    );
}

fn truncated_copy(src: &Path, dir: &Path, name: &str) -> String {
    let bytes = std::fs::read(src).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    path.display().to_string()
}

#[test]
fn bad_inputs_are_rejected_kept_and_the_rest_lands() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let good_sbom = sample("sboms/example11-rust.spdx-2.3.json");
    let bad_sbom = truncated_copy(
        &sample("sboms/proton-bridge-v1.8.0.cdx-1.2.json"),
        inputs.path(),
        "half.cdx.json",
    );
    let wrong_format = fixture("bad/invalid-bomformat-1.6.json");

    let out = vx.run(&[
        "ingest",
        "sbom",
        good_sbom.to_str().unwrap(),
        &bad_sbom,
        wrong_format.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("read 3, landed 1, unchanged 0, rejected 2"),
        "{stdout}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&format!("{bad_sbom}: not valid JSON"))),
        "{stderr}"
    );
    assert!(
        stderr.lines().any(|l| l.starts_with(&format!(
            "{}: bomFormat is \"AnotherFormat\"",
            wrong_format.display()
        ))),
        "{stderr}"
    );
    assert_eq!(vx.count("select count(*) from artifacts"), 1);
    let rejects = vx.sql_json("select kind, source, reason, length(encode(raw, 'hex')) / 2 as n from rejects order by source");
    assert_eq!(rejects.len(), 2);
    let half = std::fs::metadata(&bad_sbom).unwrap().len();
    assert!(
        rejects
            .iter()
            .any(|r| r["source"] == bad_sbom.as_str() && r["n"] == half && r["kind"] == "sbom")
    );

    // Advisories: a truncated record and a document that is not OSV at all.
    let bad_adv = truncated_copy(
        &sample("advisories/go-vulndb/GO-2020-0001.json"),
        inputs.path(),
        "GO-half.json",
    );
    let out = vx.run(&[
        "ingest",
        "advisories",
        sample("advisories/rustsec").to_str().unwrap(),
        &bad_adv,
        good_sbom.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("landed 5, unchanged 0, rejected 2"),
        "{stdout}"
    );
    assert_eq!(vx.count("select count(*) from advisory_raw"), 5);

    // VEX: a CSAF document its schema refuses (go-vex's test file) and a truncated OpenVEX one.
    let bad_vex = truncated_copy(
        &sample("vex/trivy.openvex.json"),
        inputs.path(),
        "trivy-half.json",
    );
    let out = vx.run(&[
        "ingest",
        "vex",
        sample("vex/vexctl-demo.openvex.json").to_str().unwrap(),
        fixture("bad/go-vex-csaf.json").to_str().unwrap(),
        &bad_vex,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("go-vex-csaf.json: does not follow the CSAF 2.0 JSON schema"),
        "{stderr}"
    );
    assert_eq!(vx.count("select count(*) from rejects"), 6);
    assert_eq!(
        vx.count("select count(*) from rejects where kind = 'vex'"),
        2
    );
    assert!(vx.count("select count(*) from vex_statements") > 0);

    // Ingesting the same good documents again changes nothing.
    let again = vx.ok(&["ingest", "sbom", good_sbom.to_str().unwrap()]);
    assert!(
        again.contains("read 1, landed 0, unchanged 1, rejected 0"),
        "{again}"
    );
}

#[test]
fn fail_on_sets_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ingest_sample();
    vx.expect(1, &["evaluate", "--as-of", AS_OF, "--fail-on", "BLOCK"]);
    let blocking = vx.count("select count(*) from findings where verdict in ('BLOCK', 'FAIL')");
    assert!(blocking > 0);
    vx.expect(2, &["evaluate", "--as-of", "yesterday"]);
}

#[test]
fn sql_formats_multiple_statements_and_external_tables() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ingest_sample();
    vx.ok(&["evaluate", "--as-of", AS_OF]);

    let csv = vx.ok(&[
        "sql",
        "--format",
        "csv",
        "-c",
        "select verdict, count(*) as n from findings group by verdict order by verdict",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "verdict,n");
    assert!(lines.len() >= 3, "{csv}");
    let total: i64 = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, vx.count("select count(*) from findings"));

    // Lists print as [a, b] in CSV.
    let csv = vx.ok(&[
        "sql",
        "--format",
        "csv",
        "-c",
        "select aliases from findings where vulnerability_id = 'RUSTSEC-2021-0079'",
    ]);
    assert!(
        csv.lines().nth(1).unwrap().starts_with("\"[CVE-2021-32714"),
        "{csv}"
    );

    // An analyst's own CSV joined with the lake, in one -c of several statements.
    let team = dir.path().join("owners.csv");
    std::fs::write(
        &team,
        "package,owner\ngithub.com/gin-gonic/gin,web-team\nhyper,rust-team\n",
    )
    .unwrap();
    let sql = format!(
        "CREATE EXTERNAL TABLE owners STORED AS CSV LOCATION '{}' OPTIONS ('format.has_header' 'true'); \
         SELECT o.owner, count(*) AS n FROM findings f JOIN owners o ON f.package = o.package GROUP BY o.owner ORDER BY o.owner",
        team.display()
    );
    let rows = vx.sql_json(&sql);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["owner"], "rust-team");
    assert_eq!(rows[1]["owner"], "web-team");
    assert_eq!(rows[1]["n"], 3);

    // -f runs a file; every UDF is registered.
    let file = dir.path().join("q.sql");
    std::fs::write(&file, "select version_cmp('Go', 'v1.4.0', 'v1.6.0') as c;").unwrap();
    let out = vx.ok(&["sql", "--format", "csv", "-f", file.to_str().unwrap()]);
    assert_eq!(out, "c\n-1\n");

    // A bad query is an error with exit code 2.
    let out = vx.run(&["sql", "-c", "select nope from findings"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
}

#[test]
fn sql_without_a_lake_compares_versions_from_a_csv_as_text() {
    // The issue's own example, in a directory with no lake: functions need none.
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    let out = vx.ok(&[
        "sql",
        "--format",
        "csv",
        "-c",
        "select version_cmp('Debian', '1:1.0~rc1-1', '1.0-1') as d, \
         version_cmp('PyPI', '1.0.post1', '1.0') as p, version_cmp('Maven', '1.0-alpha', '1.0') as m",
    ]);
    assert_eq!(out, "d,p,m\n1,1,-1\n");
    assert!(!dir.path().join("lake").exists(), "sql made a lake");

    // Versions in a CSV stay text (1.10 is not 1.1): every fixture pair of the native tools,
    // joined through CREATE EXTERNAL TABLE as an analyst would.
    let pairs = dir.path().join("pairs.csv");
    let mut csv = String::from("ecosystem,a,op,b\nPyPI,1.10,>,1.9\nCRAN,1.10,>,1.9\n");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/versions");
    let mut expected = 2;
    for (file, eco) in [("dpkg", "Debian:12"), ("maven", "Maven"), ("semver", "npm")] {
        let text = std::fs::read_to_string(fixtures.join(format!("{file}.txt"))).unwrap();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
                panic!("{line}")
            };
            csv.push_str(&format!("{eco},{a},{op},{b}\n"));
            expected += 1;
        }
    }
    std::fs::write(&pairs, csv).unwrap();
    let sql = format!(
        "CREATE EXTERNAL TABLE p STORED AS CSV LOCATION '{}' OPTIONS ('format.has_header' 'true'); \
         SELECT count(*) AS n, \
           sum(CASE WHEN version_cmp(ecosystem, a, b) = CASE op WHEN '<' THEN -1 WHEN '=' THEN 0 ELSE 1 END \
                     AND version_cmp(ecosystem, b, a) = -(CASE op WHEN '<' THEN -1 WHEN '=' THEN 0 ELSE 1 END) \
               THEN 1 ELSE 0 END) AS agree \
         FROM p",
        pairs.display()
    );
    let rows = vx.sql_json(&sql);
    assert_eq!(rows[0]["n"], expected, "{rows:?}");
    assert_eq!(rows[0]["agree"], expected, "{rows:?}");

    // A column declared numeric cannot reach a version function: the error says why.
    let sql = format!(
        "CREATE EXTERNAL TABLE q (ecosystem VARCHAR, a DOUBLE, op VARCHAR, b DOUBLE) STORED AS CSV \
         LOCATION '{}' OPTIONS ('format.has_header' 'true'); SELECT version_cmp(ecosystem, a, b) FROM q",
        pairs.display()
    );
    let out = vx.run(&["sql", "-c", &sql]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has lost digits"));
}

#[test]
fn demo_prints_real_findings() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("demo-lake"));
    let out = vx.ok(&["demo"]);
    assert!(out.contains("Findings by verdict"), "{out}");
    assert!(
        out.contains("RUSTSEC-2021-0079") || out.contains("GHSA-"),
        "{out}"
    );
    assert!(vx.count("select count(*) from findings") > 100);
    // Every query the demo suggests runs on the lake it made, and returns rows.
    let suggestions =
        std::fs::read_to_string(crate::common::repo().join("sql/demo/try_next.sql")).unwrap();
    let queries: Vec<&str> = suggestions
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("--"))
        .collect();
    assert!(queries.len() >= 4);
    for q in queries {
        assert!(!vx.sql_json(q).is_empty(), "{q}");
    }
}

#[test]
fn findings_at_and_table_at_travel_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ingest_sample();
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    vx.ok(&["evaluate", "--as-of", "2026-07-01T00:00:00Z"]);
    let at = |sql: &str| vx.sql_json(sql)[0]["t"].as_str().unwrap().to_string();
    assert!(
        at("select cast(max(evaluated_at) as varchar) as t from findings_at(1)")
            .starts_with("2026-06-01")
    );
    assert!(
        at("select cast(max(evaluated_at) as varchar) as t from findings_at(2)")
            .starts_with("2026-07-01")
    );
    assert!(
        at("select cast(max(evaluated_at) as varchar) as t from findings")
            .starts_with("2026-07-01")
    );
    assert_eq!(vx.count("select count(*) from findings_at(0)"), 0);
    assert_eq!(
        vx.count("select count(*) from findings_at(1)"),
        vx.count("select count(*) from findings")
    );
    assert_eq!(
        vx.count("select count(*) from table_at('components', 0)"),
        0
    );
    assert_eq!(
        vx.count("select count(*) from table_at('components', 1)"),
        vx.count("select count(*) from components")
    );
    let out = vx.run(&["sql", "-c", "select * from findings_at(9)"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("findings has no version 9: the newest is 2")
    );
}

#[test]
fn cyclonedx_specification_examples_of_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let spec = fixture("cyclonedx-spec");
    let valid: Vec<_> = walk(&spec)
        .into_iter()
        .filter(|p| p.contains("/valid-"))
        .collect();
    let invalid: Vec<_> = walk(&spec)
        .into_iter()
        .filter(|p| p.contains("/invalid-"))
        .collect();
    assert_eq!(invalid.len(), 3);
    let out = vx.run(&["ingest", "sbom", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Some valid examples are byte-identical across versions only in name; count distinct bytes.
    let distinct: std::collections::HashSet<Vec<u8>> =
        valid.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(
        stdout.contains(&format!(
            "read {}, landed {}, unchanged {}, rejected 3",
            valid.len() + 3,
            distinct.len(),
            valid.len() - distinct.len()
        )),
        "{stdout}"
    );
    let rejected = vx.sql_json("select source from rejects order by source");
    let sources: Vec<&str> = rejected
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        invalid.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(
        vx.count("select count(distinct spec_version) from artifacts"),
        3,
        "1.4, 1.5 and 1.6 documents landed"
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn advisories_from_a_zip_archive() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    let zip_path = dir.path().join("osv.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let go = sample("advisories/go-vulndb");
    let mut names: Vec<_> = std::fs::read_dir(&go)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for p in &names {
        zip.start_file(
            format!("osv/{}", p.file_name().unwrap().to_string_lossy()),
            options,
        )
        .unwrap();
        zip.write_all(&std::fs::read(p).unwrap()).unwrap();
    }
    zip.start_file("osv/README.txt", options).unwrap();
    zip.write_all(b"not an advisory").unwrap();
    zip.finish().unwrap();
    let out = vx.ok(&["ingest", "advisories", zip_path.to_str().unwrap()]);
    assert!(
        out.contains(&format!(
            "read {0}, landed {0}, unchanged 0, rejected 0",
            names.len()
        )),
        "{out}"
    );
    let src =
        vx.sql_json("select source_path from advisory_raw where advisory_id = 'GO-2020-0001'");
    assert_eq!(
        src[0]["source_path"],
        format!("{}!osv/GO-2020-0001.json", zip_path.display())
    );
    // The same records from their files are unchanged content: no new revisions.
    let again = vx.ok(&["ingest", "advisories", go.to_str().unwrap()]);
    assert!(
        again.contains(&format!("landed 0, unchanged {}", names.len())),
        "{again}"
    );
}

#[test]
fn sql_shell_reads_statements_from_stdin() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ok(&["init"]);
    let mut child = vx
        .command(&["sql", "--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"select 41 + 1\n  as answer;\nselect count(*) as n from findings;\n\\q\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "answer\n42\nn\n0\n");
}

#[test]
fn a_file_url_lake_is_the_same_as_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let by_url = Vx {
        lake: format!("file://{}", dir.path().display()),
        envs: Vec::new(),
    };
    by_url.ok(&["init"]);
    by_url.ok(&[
        "ingest",
        "sbom",
        sample("sboms/example11-rust.spdx-2.3.json")
            .to_str()
            .unwrap(),
    ]);
    let by_path = Vx::local(dir.path());
    assert_eq!(by_path.count("select count(*) from components"), 4);
    let ftp = Vx {
        lake: "ftp://example.invalid/lake".into(),
        envs: Vec::new(),
    };
    let out = ftp.run(&["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported scheme"));
}
