//! Policy files: `policy check` and `explain`, errors that name the rule and the place, the
//! actions, first match by priority then file order, `--fail-on` under two policies, and
//! replay of a run under a policy file.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{Vx, repo};
use crate::scoring::{JUNIT, ZK, lake};

const AS_OF: &str = "2026-03-01T00:00:00Z";

fn policy(name: &str) -> PathBuf {
    repo().join("tests/fixtures/policies").join(name)
}

fn arg(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn policy_check_accepts_the_default_and_explains_it() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("no-lake"));
    let default = repo().join("datasets/policies/default.toml");
    let out = vx.ok(&["policy", "check", arg(&default)]);
    assert!(
        out.contains("policy \"vexlake-default\" version \"1\" is valid: 6 rules"),
        "{out}"
    );
    let out = vx.ok(&["policy", "explain", arg(&default)]);
    assert!(out.contains("CREATE OR REPLACE VIEW eval_policy"), "{out}");
    assert!(out.contains("WHEN (severity = 'critical') THEN 5"), "{out}");
    assert!(out.contains("--   otherwise: verdict WARN"), "{out}");
}

#[test]
fn bad_policies_are_errors_that_name_the_rule_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("no-lake"));
    for (file, says) in [
        (
            "bad/unknown-column.toml",
            vec![":6:8: rule \"typo\"", "severty"],
        ),
        (
            "bad/not-boolean.toml",
            vec![":6:8: rule \"a-number\"", "must be true or false"],
        ),
        (
            "bad/two-statements.toml",
            vec![":6:8: rule \"sneaky\"", "one SQL expression expected"],
        ),
        (
            "bad/bad-weight.toml",
            vec!["weights.confidence.vex = -0.5", "0 or more"],
        ),
        (
            "bad/unknown-field.toml",
            vec![":4:", "unknown field `rulez`"],
        ),
    ] {
        let out = vx.run(&["policy", "check", arg(&policy(file))]);
        assert_eq!(out.status.code(), Some(2), "{file}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(file.trim_start_matches("bad/")),
            "{file}: {stderr}"
        );
        for s in says {
            assert!(stderr.contains(s), "{file}: {s:?} not in {stderr}");
        }
    }
}

fn finding(vx: &Vx, purl: &str) -> Value {
    let rows = vx.sql_json(&format!(
        "select verdict, severity, score, policy_id, policy_version, explained_trace \
         from findings where purl = '{purl}'"
    ));
    assert_eq!(rows.len(), 1, "{purl}: {rows:?}");
    rows[0].clone()
}

#[test]
fn actions_first_match_and_replay_under_a_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    // Under the default policy both medium findings warn.
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert_eq!(finding(&vx, JUNIT)["verdict"], "WARN");
    assert_eq!(finding(&vx, ZK)["severity"], "medium");

    let actions = policy("actions.toml");
    let out = vx.ok(&["evaluate", "--as-of", AS_OF, "--policy", arg(&actions)]);
    assert!(out.contains("findings version 2"), "{out}");
    // zookeeper: two rules of priority 5 match; the first in the file wins: escalated one
    // step (medium -> high), BLOCK, annotated.
    let zk = finding(&vx, ZK);
    assert_eq!(
        (
            &zk["verdict"],
            &zk["severity"],
            &zk["policy_id"],
            &zk["policy_version"]
        ),
        (
            &"BLOCK".into(),
            &"high".into(),
            &"actions".into(),
            &"2".into()
        ),
        "{zk}"
    );
    let trace = zk["explained_trace"].to_string();
    assert!(
        trace.contains(
            "rule:zookeeper-escalates; severity medium -> high; team=platform; ticket=SEC-42"
        ),
        "{trace}"
    );
    // junit: priority 1 is tried first although it stands last: severity assigned, FAIL,
    // the warning in the trace; the score uses the policy's weights (severity alone).
    let junit = finding(&vx, JUNIT);
    assert_eq!(
        (&junit["verdict"], &junit["severity"]),
        (&"FAIL".into(), &"critical".into())
    );
    assert!(
        junit["explained_trace"]
            .to_string()
            .contains("rule:junit-critical; severity medium -> critical; warning: test-only dependency shipped in the image"),
        "{junit}"
    );
    let cvss = vx.sql_json(&format!(
        "select cvss_score from findings where purl = '{JUNIT}'"
    ))[0]["cvss_score"]
        .as_f64()
        .unwrap();
    assert_eq!(
        junit["score"].as_f64(),
        Some((cvss * 10.0 * 100.0).round() / 100.0)
    );

    // Both runs replay: the policy each used is recorded with it.
    for v in ["1", "2"] {
        let out = vx.ok(&["replay", "--version", v]);
        assert!(out.contains("rows identical"), "{out}");
    }
}

#[test]
fn fail_on_block_follows_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ingest_sample();
    assert!(vx.count("select count(*) from advisory_observations") > 0);
    // The sample has critical findings: a policy that blocks them fails the gate ...
    let block = policy("block-critical.toml");
    vx.expect(
        1,
        &["evaluate", "--fail-on", "BLOCK", "--policy", arg(&block)],
    );
    assert!(
        vx.count("select count(*) from findings where verdict = 'BLOCK' and severity = 'critical'")
            > 0
    );
    assert_eq!(
        vx.count("select count(*) from findings where verdict in ('FAIL')"),
        0
    );
    // ... one that only warns does not.
    let warn = policy("warn-only.toml");
    let out = vx.ok(&["evaluate", "--fail-on", "BLOCK", "--policy", arg(&warn)]);
    assert!(out.contains("FAIL 0, BLOCK 0"), "{out}");
}
