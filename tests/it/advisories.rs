//! Advisory ingestion under the Aggregation-Only Contract: sources stay separate and are joined
//! by alias; revisions follow content; the NVD and CSAF corpus folders land, twice; events.

use serde_json::Value;

use crate::common::{Vx, fixture, repo};

fn corpus(rel: &str) -> String {
    let path = repo().join("../shared/corpus").join(rel);
    assert!(
        path.exists(),
        "{} is missing: this test reads the team's corpus beside the checkout",
        path.display()
    );
    path.display().to_string()
}

/// The `landed N, unchanged N, rejected N` counts of an ingest summary (on stdout).
fn summary(vx: &Vx, args: &[&str]) -> (i64, i64, i64) {
    let out = vx.run(args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("ingest advisories:"))
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    let num = |word: &str| -> i64 {
        let at = line
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {line}"))
            + word.len();
        line[at..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count after {word} in {line}"))
    };
    (num("landed"), num("unchanged"), num("rejected"))
}

#[test]
fn one_cve_from_nvd_csaf_and_osv_is_three_sources_joined_by_alias() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let nvd = fixture("advisories/nvd-page-CVE-2023-45288.json");
    for path in [
        nvd.display().to_string(),
        corpus("csaf/redhat-advisories/osv-schema/rhsa-2024_4546.json"),
        corpus("osv/go-vulndb/osv/GO-2024-2687.json"),
    ] {
        vx.ok(&["ingest", "advisories", &path]);
    }
    let rows = vx.sql_json(
        "select source, advisory_id from advisory_aliases \
         where alias_group = 'CVE-2023-45288' order by source",
    );
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().to_string(),
                r["advisory_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("csaf", "RHSA-2024:4546"),
        ("nvd", "CVE-2023-45288"),
        ("osv", "GO-2024-2687"),
    ];
    assert_eq!(
        got,
        want.map(|(s, a)| (s.to_string(), a.to_string())).to_vec()
    );
    // Three records, never merged.
    assert_eq!(vx.count("select count(*) from advisory_raw"), 3);
    // The CSAF advisory's linksets: Red Hat's fixed builds, on their platforms, as the OSV
    // project's own converter names them (its output for this document is in the corpus).
    let osv_conversion: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus(
            "osv/osv-schema-testdata/redhat-csaf-conversion/RHSA-2024_4546.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut want: Vec<String> = osv_conversion["affected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a["package"]["ecosystem"].as_str().unwrap(),
                a["package"]["name"].as_str().unwrap(),
                a["ranges"][0]["events"][1]["fixed"].as_str().unwrap()
            )
        })
        .collect();
    want.sort();
    let got: Vec<String> = vx
        .sql_json(
            "select distinct ecosystem || ' ' || package_name || ' ' || ranges[1]['events'][2]['fixed'] as l \
             from advisory_affected where source = 'csaf' and purl not like '%arch=src%' order by l",
        )
        .iter()
        .map(|r| r["l"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
}

#[test]
fn revisions_follow_content_and_events_say_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let original = std::fs::read_to_string(corpus("osv/go-vulndb/osv/GO-2024-2687.json")).unwrap();
    let mut changed: Value = serde_json::from_str(&original).unwrap();
    changed["summary"] = Value::from("A changed summary");
    let mut withdrawn = changed.clone();
    withdrawn["withdrawn"] = Value::from("2026-01-01T00:00:00Z");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let a = write("a.json", &original);
    // The same record in another layout (YAML, keys reordered) is the same content.
    let a_yaml = write(
        "a.yaml",
        &serde_norway::to_string(&serde_json::from_str::<Value>(&original).unwrap()).unwrap(),
    );
    let b = write("b.json", &serde_json::to_string_pretty(&changed).unwrap());
    let a_again = write("a-again.json", &original);
    let w = write("w.json", &serde_json::to_string(&withdrawn).unwrap());
    let ingest = |p: &str| summary(&vx, &["ingest", "advisories", p]);
    assert_eq!(ingest(&a), (1, 0, 0));
    assert_eq!(ingest(&a), (0, 1, 0), "identical content adds nothing");
    assert_eq!(ingest(&a_yaml), (0, 1, 0), "YAML of the same record");
    assert_eq!(ingest(&b), (1, 0, 0));
    assert_eq!(
        ingest(&a),
        (0, 1, 0),
        "a file read again, unchanged since, adds nothing"
    );
    assert_eq!(
        ingest(&a_again),
        (1, 0, 0),
        "A -> B -> A is three revisions"
    );
    assert_eq!(ingest(&w), (1, 0, 0));
    let revisions = vx.sql_json(
        "select revision, summary, withdrawn is not null as w from advisory_observations \
         where advisory_id = 'GO-2024-2687' order by revision",
    );
    assert_eq!(revisions.len(), 4);
    assert_eq!(revisions[1]["summary"], "A changed summary");
    assert_eq!(revisions[0]["summary"], revisions[2]["summary"]);
    assert_eq!(revisions[3]["w"], true);
    // Revision 1 is kept, as received, byte for byte.
    let raw1 = vx.sql_json(
        "select encode(raw, 'hex') as h from advisory_raw where advisory_id = 'GO-2024-2687' and revision = 1",
    );
    assert_eq!(
        raw1[0]["h"].as_str().unwrap(),
        hex::encode(original.as_bytes())
    );
    // Withdrawn: no longer current.
    assert_eq!(vx.count("select count(*) from advisories_current"), 0);
    let mut events: Vec<(i64, String)> = vx
        .sql_json("select type, payload from events where stream = 'concelier:drift'")
        .iter()
        .map(|r| {
            let payload: Value = serde_json::from_str(r["payload"].as_str().unwrap()).unwrap();
            (
                payload["revision"].as_i64().unwrap(),
                r["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    events.sort();
    let events: Vec<&str> = events.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        events,
        [
            "advisory.new",
            "advisory.updated",
            "advisory.updated",
            "advisory.withdrawn"
        ]
    );
}

/// Each corpus folder's counts, as `tests/manifests/count_corpus_advisories.py` (an independent
/// Python counter, with Python's jsonschema) writes them.
fn manifest(folder: &str) -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/manifests/corpus_advisories.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()[folder].clone()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn nvd_and_csaf_corpus_folders_match_the_manifest_and_a_second_run_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    for folder in ["nvd", "csaf"] {
        let want = manifest(folder);
        let path = corpus(folder);
        let (landed, unchanged, rejected) = summary(&vx, &["ingest", "advisories", &path]);
        assert_eq!(landed, want["landed"].as_i64().unwrap(), "{folder}: landed");
        assert_eq!(
            landed + unchanged,
            want["records_read"].as_i64().unwrap(),
            "{folder}: records read"
        );
        let mut sources: Vec<String> = vx
            .sql_json(&format!(
                "select source from rejects where source like '%/corpus/{folder}/%'"
            ))
            .iter()
            .map(|r| {
                let s = r["source"].as_str().unwrap();
                let at = s.find(&format!("/corpus/{folder}/")).unwrap() + folder.len() + 9;
                s[at..].to_string()
            })
            .collect();
        sources.sort();
        assert_eq!(sources, strings(&want["rejected"]), "{folder}: rejects");
        assert_eq!(rejected as usize, sources.len());
        assert_eq!(
            vx.count(&format!(
                "select count(*) from advisory_observations where source = '{folder}' \
                 and withdrawn is not null"
            )),
            want["withdrawn"].as_i64().unwrap(),
            "{folder}: withdrawn"
        );
        let (again, same, rejected_again) = summary(&vx, &["ingest", "advisories", &path]);
        assert_eq!(again, 0, "{folder}: nothing lands the second time");
        assert_eq!(same, landed + unchanged, "{folder}: every record unchanged");
        assert_eq!(rejected_again, rejected, "{folder}: the same rejects");
    }
    // NVD's CPE configurations are CPE linksets, one per CPE match, with NVD's version bounds.
    assert_eq!(
        vx.count("select count(*) from advisory_affected where source = 'nvd'"),
        manifest("nvd")["cpe_matches"].as_i64().unwrap()
    );
    assert!(
        vx.count(
            "select count(*) from (select unnest(cpe_matches) as m from advisory_affected \
             where source = 'nvd') where m['version_end_excluding'] is not null"
        ) > 0
    );
    // The CVEs the CSAF documents are about are their records' aliases.
    let cves: Vec<String> = vx
        .sql_json(
            "select distinct a from (select unnest(aliases) as a from advisory_observations \
             where source = 'csaf') where a like 'CVE-%' order by a",
        )
        .iter()
        .map(|r| r["a"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cves, strings(&manifest("csaf")["cves"]));
    // One event per record; every reject kept with its reason.
    let raw = vx.count("select count(*) from advisory_raw");
    assert_eq!(
        vx.count("select count(*) from events where stream = 'concelier:drift'"),
        raw
    );
    assert!(
        vx.count(
            "select count(*) from rejects where reason like '%does not follow the CSAF 2.0 JSON schema%'"
        ) > 0
    );
    assert!(vx.count("select count(*) from rejects where reason like '%CVE Record Format 5%'") > 0);
}

#[test]
fn a_document_over_the_size_limit_is_rejected_unread_and_the_rest_lands() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let small = corpus("osv/go-vulndb/osv/GO-2022-1144.json");
    let large = corpus("osv/go-vulndb/osv/GO-2024-2687.json");
    let (small_len, large_len) = (
        std::fs::metadata(&small).unwrap().len(),
        std::fs::metadata(&large).unwrap().len(),
    );
    assert!(small_len < large_len);
    std::fs::copy(&small, inputs.join("a.json")).unwrap();
    std::fs::copy(&large, inputs.join("b.json")).unwrap();
    // Also inside an archive: the entry's size is checked before it is read.
    let zip_path = dir.path().join("in.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    zip.start_file("big/b.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, &std::fs::read(&large).unwrap()).unwrap();
    zip.finish().unwrap();
    let limit = (small_len + large_len) / 2;
    let out = vx.expect(
        2,
        &[
            "ingest",
            "advisories",
            "--max-document-size",
            &limit.to_string(),
            inputs.to_str().unwrap(),
            zip_path.to_str().unwrap(),
        ],
    );
    assert!(out.contains("landed 1,"), "{out}");
    let rejects = vx.sql_json("select source, reason from rejects order by source");
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    for r in &rejects {
        let reason = r["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(&format!(
                "{large_len} bytes, more than the {limit}-byte limit"
            )),
            "{reason}"
        );
    }
    let sources: Vec<&str> = rejects
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.iter().any(|s| s.ends_with("in.zip!big/b.json")),
        "{sources:?}"
    );
    assert!(
        sources.iter().any(|s| s.ends_with("in/b.json")),
        "{sources:?}"
    );
    // A bad size is a clear error.
    let out = vx.run(&[
        "ingest",
        "advisories",
        "--max-document-size",
        "12 parsecs",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown size unit \"parsecs\""));
}

/// `cvss_score` agrees with the independent Python `cvss` package on every vector of the corpus
/// (OSV severities, NVD metrics, CSAF scores: v2, v3.0, v3.1 and v4.0).
#[test]
fn cvss_score_agrees_with_the_python_cvss_package_on_every_corpus_vector() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    for folder in ["osv", "nvd", "csaf"] {
        vx.run(&["ingest", "advisories", &corpus(folder)]);
    }
    let rows = vx.sql_json(
        "select v, cvss_score(v) as s from (select distinct s['vector'] as v from \
         (select unnest(severities) as s from advisory_observations)) order by v",
    );
    let vectors: Vec<&str> = rows.iter().map(|r| r["v"].as_str().unwrap()).collect();
    // 233 distinct vectors in the corpus today, of every version.
    assert!(vectors.len() > 200, "{} vectors", vectors.len());
    for prefix in ["AV:", "CVSS:3.0/", "CVSS:3.1/", "CVSS:4.0/"] {
        assert!(
            vectors.iter().any(|v| v.starts_with(prefix)),
            "no {prefix} vector"
        );
    }
    let python = std::env::var("VEXLAKE_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(python)
        .arg(repo().join("tests/python/cvss_oracle.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3");
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        serde_json::to_string(&vectors).unwrap().as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "cvss_oracle.py failed (scripts/test.sh installs the cvss package):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let oracle: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut disagree = Vec::new();
    for r in &rows {
        let v = r["v"].as_str().unwrap();
        let ours = r["s"].as_f64();
        let theirs = oracle[v].as_f64();
        if ours != theirs {
            disagree.push(format!("{v}: vexlake {ours:?}, python cvss {theirs:?}"));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
