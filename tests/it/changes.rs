//! What a run changed: `finding_changes` against the previous findings version, and the
//! `policy:evaluated` events, when an advisory changes between runs.

use serde_json::Value;

use crate::common::{Vx, determinism_hash, repo};
use crate::scoring::{JUNIT, ZK, lake};

const AS_OF: &str = "2026-03-01T00:00:00Z";

fn changes(vx: &Vx, version: i64) -> Vec<Value> {
    vx.sql_json(&format!(
        "select f.purl, c.change, c.from_version, c.old_verdict, c.new_verdict, c.old_severity, \
         c.new_severity from finding_changes c \
         join (select distinct finding_key, purl from table_at('findings', {version}) \
               union select distinct finding_key, purl from table_at('findings', {})) f \
           on c.finding_key = f.finding_key \
         where c.to_version = {version} order by f.purl",
        version - 1
    ))
}

#[test]
fn a_changed_advisory_shows_up_in_finding_changes_and_events() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());

    // The first run: every finding is new.
    let first = vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert!(first.contains("new 2, resolved 0"), "{first}");
    let rows = changes(&vx, 1);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .all(|r| r["change"] == "new" && r["from_version"] == 0)
    );

    // The same inputs and clock: the same hash, and nothing changed.
    let second = vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert_eq!(determinism_hash(&first), determinism_hash(&second));
    assert!(
        second.contains("new 0, resolved 0, verdict_changed 0, severity_changed 0"),
        "{second}"
    );
    assert_eq!(vx.count("select count(*) from finding_changes"), 2);

    // New revisions of both advisories: junit 4.12 is now outside the range (fixed in 4.12),
    // and zookeeper's vector is now critical.
    let revise = |id: &str, edit: &dyn Fn(&mut Value)| {
        let path = repo().join(format!("../shared/corpus/osv/osv-scalibr-ghsa/{id}.json"));
        let mut record: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        edit(&mut record);
        record["modified"] = "2026-02-01T00:00:00Z".into();
        let out = dir.path().join(format!("{id}.json"));
        std::fs::write(&out, record.to_string()).unwrap();
        out
    };
    let junit = revise("GHSA-269g-pwp5-87pp", &|r| {
        let affected = &mut r["affected"][0];
        affected["ranges"][0]["events"][1]["fixed"] = "4.12".into();
        // The record also lists the affected versions one by one: 4.12 and the 4.13s go.
        let versions = affected["versions"]
            .as_array_mut()
            .expect("a versions list");
        versions.retain(|v| v != "4.12" && !v.as_str().unwrap().starts_with("4.13"));
        assert!(!versions.is_empty() && !versions.contains(&"4.12".into()));
    });
    let zk = revise("GHSA-2hw2-62cp-p9p7", &|r| {
        r["severity"][0]["score"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into();
    });
    vx.ok(&[
        "ingest",
        "advisories",
        junit.to_str().unwrap(),
        zk.to_str().unwrap(),
    ]);
    let third = vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert!(third.contains("findings version 3"), "{third}");
    assert!(
        third.contains("new 0, resolved 1, verdict_changed 1, severity_changed 0"),
        "{third}"
    );
    let rows = changes(&vx, 3);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (j, z) = (&rows[0], &rows[1]);
    assert_eq!(j["purl"], JUNIT);
    assert_eq!(j["change"], "resolved");
    assert_eq!(
        (&j["old_verdict"], &j["new_verdict"]),
        (&"WARN".into(), &Value::Null)
    );
    assert_eq!(z["purl"], ZK);
    assert_eq!(z["change"], "verdict_changed");
    assert_eq!(
        (&z["old_verdict"], &z["new_verdict"]),
        (&"WARN".into(), &"FAIL".into())
    );
    assert_eq!(
        (&z["old_severity"], &z["new_severity"]),
        (&"medium".into(), &"critical".into())
    );

    // Events: one evaluation.completed a run; verdict.changed for the two new findings of the
    // first run and the two changes of the third.
    assert_eq!(
        vx.count("select count(*) from events where stream = 'policy:evaluated' and type = 'evaluation.completed'"),
        3
    );
    let payloads: Vec<Value> = vx
        .sql_json("select payload from events where type = 'verdict.changed'")
        .iter()
        .map(|r| serde_json::from_str(r["payload"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(payloads.len(), 4, "{payloads:?}");
    let mut third_run: Vec<(String, String)> = payloads
        .iter()
        .filter(|p| p["findings_version"] == 3)
        .map(|p| (p["change"].to_string(), p["new_verdict"].to_string()))
        .collect();
    third_run.sort();
    assert_eq!(
        third_run,
        [
            ("\"resolved\"".to_string(), "null".to_string()),
            ("\"verdict_changed\"".to_string(), "\"FAIL\"".to_string())
        ]
    );
    let completed = vx.sql_json(
        "select subject, table_versions from events where type = 'evaluation.completed' \
         order by subject",
    );
    assert_eq!(completed[2]["subject"], "findings@3");
    let versions: Value =
        serde_json::from_str(completed[2]["table_versions"].as_str().unwrap()).unwrap();
    assert_eq!(versions["written"]["findings"], 3, "{versions}");
    assert!(
        versions["written"]["finding_changes"].is_number(),
        "{versions}"
    );
    assert!(
        versions["read"]["advisory_observations"].is_number(),
        "{versions}"
    );
}
