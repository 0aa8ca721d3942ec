//! The team's whole OSV corpus (`../shared/corpus/osv`: 5,437 JSON and YAML documents) lands,
//! every range is read or reported, and the counts equal `tests/manifests/corpus_osv.json`,
//! written by an independent Python counter.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{AS_OF, Vx, repo};

fn counts(vx: &Vx, sql: &str) -> BTreeMap<String, i64> {
    vx.sql_json(sql)
        .iter()
        .map(|r| {
            (
                r["k"].as_str().unwrap_or_default().to_string(),
                r["n"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn as_counts(v: &Value) -> BTreeMap<String, i64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_i64().unwrap()))
        .collect()
}

#[test]
fn every_corpus_range_lands_or_is_reported() {
    let corpus = repo().join("../shared/corpus/osv");
    assert!(
        corpus.is_dir(),
        "{} is missing: this test reads the team's corpus beside the checkout",
        corpus.display()
    );
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/manifests/corpus_osv.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    // In rounds of 1,000 records (several commits per table): the counts do not depend on it.
    let out = vx.run(&[
        "ingest",
        "advisories",
        "--batch-size",
        "1000",
        corpus.to_str().unwrap(),
    ]);
    // Some corpus files are not OSV records (schemas, raw GHSA): exit 2, the rest lands.
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // Landed and unchanged as the manifest counts them: every distinct (id, content) lands, a
    // record repeated with the same content is unchanged.
    let observations = manifest["observations"].as_i64().unwrap();
    let unchanged = manifest["records_read"].as_i64().unwrap() - observations;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "landed {observations}, unchanged {unchanged}, rejected {}",
            manifest["rejected"].as_array().unwrap().len()
        )),
        "{stdout}"
    );

    let mut rejected: Vec<String> = vx
        .sql_json("select source from rejects")
        .iter()
        .map(|r| {
            let s = r["source"].as_str().unwrap();
            s[s.find("osv/").expect("a corpus path") + 4..].to_string()
        })
        .collect();
    rejected.sort();
    let want: Vec<String> = manifest["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(rejected, want);

    assert_eq!(
        vx.count("select count(*) from advisory_observations"),
        manifest["observations"].as_i64().unwrap()
    );
    assert_eq!(
        vx.count("select count(*) from advisory_observations where withdrawn is not null"),
        manifest["withdrawn"].as_i64().unwrap()
    );
    // One raw record and one event per observation; six rounds of commits for 5,420 records.
    assert_eq!(vx.count("select count(*) from advisory_raw"), observations);
    // Each record's event says what its revision is: new, updated (a second content under one
    // id in the corpus) or withdrawn.
    let by_type = |sql: &str| vx.count(sql);
    assert_eq!(
        by_type("select count(*) from events where type = 'advisory.new'"),
        by_type(
            "select count(*) from advisory_observations where revision = 1 and withdrawn is null"
        )
    );
    assert_eq!(
        by_type("select count(*) from events where type = 'advisory.updated'"),
        by_type(
            "select count(*) from advisory_observations where revision > 1 and withdrawn is null"
        )
    );
    assert_eq!(
        by_type("select count(*) from events where type = 'advisory.withdrawn'"),
        manifest["withdrawn"].as_i64().unwrap()
    );
    let rounds = vx.count(
        "select count(distinct table_versions) from events where stream = 'concelier:drift'",
    );
    assert_eq!(rounds, (observations + 999) / 1000);
    // Ingested again, in one round: every record is unchanged.
    let again = vx.run(&["ingest", "advisories", corpus.to_str().unwrap()]);
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.contains(&format!(
            "landed 0, unchanged {}",
            manifest["records_read"].as_i64().unwrap()
        )),
        "{again}"
    );
    assert_eq!(vx.count("select count(*) from advisory_raw"), observations);
    assert_eq!(
        counts(
            &vx,
            "select coalesce(split_part(ecosystem, ':', 1), '') as k, count(*) as n \
             from advisory_affected group by 1"
        ),
        as_counts(&manifest["affected_by_family"])
    );
    assert_eq!(
        counts(
            &vx,
            "select r['type'] as k, count(*) as n \
             from (select unnest(ranges) as r from advisory_affected) group by 1"
        ),
        as_counts(&manifest["ranges_by_type"])
    );
    let events = "select ecosystem, r['type'] as t, unnest(r['events']) as e \
                  from (select ecosystem, unnest(ranges) as r from advisory_affected)";
    assert_eq!(
        counts(
            &vx,
            &format!(
                "select k, count(*) as n from (select case \
                   when e['introduced'] is not null then 'introduced' \
                   when e['fixed'] is not null then 'fixed' \
                   when e['last_affected'] is not null then 'last_affected' \
                   else 'limit' end as k from ({events})) group by k"
            )
        ),
        as_counts(&manifest["events_by_kind"])
    );

    // Every event of a SEMVER or ECOSYSTEM range either reads under its scheme or is listed
    // here; for SEMVER ranges and PyPI the counter's own validators give the same number.
    let unreadable = vx.sql_json(&format!(
        "select t, ecosystem, v from (select t, ecosystem, \
           coalesce(e['introduced'], e['fixed'], e['last_affected'], e['limit']) as v from ({events})) \
         where t <> 'GIT' and v not in ('0', '*') \
           and not coalesce(version_valid(case when t = 'SEMVER' then 'npm' else ecosystem end, v), false) \
         order by 1, 2, 3"
    ));
    for row in &unreadable {
        eprintln!("unreadable event: {row}");
    }
    let by = |pred: &dyn Fn(&Value) -> bool| unreadable.iter().filter(|r| pred(r)).count() as i64;
    let want = &manifest["unreadable_events"];
    assert_eq!(
        by(&|r| r["t"] == "SEMVER"),
        want["SEMVER"].as_i64().unwrap_or(0)
    );
    assert_eq!(
        by(&|r| r["t"] == "ECOSYSTEM" && r["ecosystem"] == "PyPI"),
        want["PyPI"].as_i64().unwrap_or(0)
    );

    // The example: an SBOM with jinja2 2.10 and golang.org/x/text v0.3.5 (and their
    // fixed versions) yields exactly the records that affect each, per the independent matcher.
    let examples = manifest["examples"].as_object().unwrap();
    let components: Vec<Value> = examples
        .keys()
        .enumerate()
        .map(|(i, purl)| serde_json::json!({"type": "library", "bom-ref": format!("c{i}"), "name": purl, "purl": purl}))
        .collect();
    let sbom = dir.path().join("examples.cdx.json");
    std::fs::write(
        &sbom,
        serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components})
            .to_string(),
    )
    .unwrap();
    vx.ok(&["ingest", "sbom", sbom.to_str().unwrap()]);
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    for (purl, want) in examples {
        let mut got: Vec<String> = vx
            .sql_json(&format!(
                "select vulnerability_id from findings where purl = '{purl}'"
            ))
            .iter()
            .map(|r| r["vulnerability_id"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        let want: Vec<String> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "{purl}");
    }
    assert!(examples.values().any(|v| !v.as_array().unwrap().is_empty()));
}
