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

#[test]
fn nvd_and_csaf_corpus_folders_land_and_a_second_run_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    for folder in ["nvd", "csaf"] {
        let path = corpus(folder);
        let (landed, unchanged, rejected) = summary(&vx, &["ingest", "advisories", &path]);
        assert!(
            landed > 0 && rejected > 0,
            "{folder}: {landed} {unchanged} {rejected}"
        );
        let (again, same, rejected_again) = summary(&vx, &["ingest", "advisories", &path]);
        assert_eq!(again, 0, "{folder}: nothing lands the second time");
        assert_eq!(same, landed + unchanged, "{folder}: every record unchanged");
        assert_eq!(rejected_again, rejected, "{folder}: the same rejects");
        // One raw row per distinct (record, content): ids that come with several contents in
        // the folder (the CSAF test documents share ids) keep one revision per content.
        assert_eq!(
            vx.count(&format!(
                "select count(*) from advisory_raw where source = '{folder}'"
            )),
            vx.count(&format!(
                "select count(*) from (select distinct advisory_id, content_sha256 \
                 from advisory_raw where source = '{folder}')"
            ))
        );
    }
    // One raw row and one event per record; every reject kept with its reason.
    let raw = vx.count("select count(*) from advisory_raw");
    assert_eq!(
        vx.count("select count(*) from events where stream = 'concelier:drift'"),
        raw
    );
    assert_eq!(
        vx.count("select count(*) from advisory_observations"),
        raw,
        "one observation per revision"
    );
    assert!(vx.count("select count(*) from rejects where reason like '%does not follow the CSAF 2.0 JSON schema%'") > 0);
    assert!(vx.count("select count(*) from rejects where reason like '%CVE Record Format 5%'") > 0);
    // NVD's CPE configurations are CPE linksets, with NVD's version bounds.
    assert!(
        vx.count(
            "select count(*) from (select unnest(cpe_matches) as m from advisory_affected \
             where source = 'nvd') where m['version_end_excluding'] is not null"
        ) > 0
    );
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
