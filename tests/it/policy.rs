//! Policy files: `policy check` and `explain`, errors that name the rule and the place, the
//! actions, first match by priority then file order, `--fail-on` under two policies, replay
//! of a run under a policy file, and unknown budgets per environment.

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
        out.contains(
            "policy \"vexlake-default\" version \"1\" is valid: 6 rules, 0 exceptions, \
             0 environments, 0 unknown budgets"
        ),
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
        (
            "bad/exception-without-owner.toml",
            vec![":5:1:", "missing field `owner`"],
        ),
        (
            "bad/defer-without-until.toml",
            vec![":10:6: exception \"later\"", "effect defer needs `until`"],
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
    // The trace is one JSON object: both zookeeper rules matched, in the order tried, and the
    // first decided; the inputs are those the rules saw.
    let trace: Value = serde_json::from_str(zk["explained_trace"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&trace["verdict"], &trace["rule"], &trace["rules_matched"]),
        (
            &"BLOCK".into(),
            &"zookeeper-escalates".into(),
            &serde_json::json!(["zookeeper-escalates", "zookeeper-passes"])
        ),
        "{trace}"
    );
    assert_eq!(
        (
            &trace["inputs"]["severity"],
            &trace["inputs"]["match_state"],
            &trace["exception"]
        ),
        (&"medium".into(), &"affected".into(), &Value::Null),
        "{trace}"
    );
    let steps: Vec<&str> = trace["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps.contains(
            &"rule:zookeeper-escalates; severity medium -> high; team=platform; ticket=SEC-42"
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

/// The default policy with environments and the given budgets, written to `dir`.
fn with_budgets(dir: &std::path::Path, name: &str, budgets: &[(&str, i64)]) -> PathBuf {
    let mut table: toml::Table = toml::from_str(
        &std::fs::read_to_string(repo().join("datasets/policies/default.toml")).unwrap(),
    )
    .unwrap();
    let env = |name: &str, repository: &str| {
        let mut e = toml::Table::new();
        e.insert("name".into(), name.into());
        e.insert("repository".into(), repository.into());
        toml::Value::Table(e)
    };
    table.insert(
        "environments".into(),
        toml::Value::Array(vec![
            env("openshift", "openshift/*"),
            env("java", "dropwizard-*"),
        ]),
    );
    let mut b = toml::Table::new();
    for (environment, max) in budgets {
        let mut budget = toml::Table::new();
        budget.insert("max_unknown".into(), (*max).into());
        b.insert(environment.to_string(), budget.into());
    }
    table.insert("budgets".into(), b.into());
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    path
}

/// Unknown findings that gate (not PASS) per environment.
fn gating_unknown(vx: &Vx, environment: &str) -> i64 {
    vx.count(&format!(
        "select count(*) from findings where unknown and verdict <> 'PASS' \
         and environment = '{environment}'"
    ))
}

#[test]
fn unknown_budgets_block_when_exceeded_and_warn_from_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ingest_sample();
    // Environments without budgets: nothing changes but the environment column.
    let plain = with_budgets(dir.path(), "plain", &[]);
    vx.ok(&["evaluate", "--as-of", AS_OF, "--policy", arg(&plain)]);
    let (openshift, default, java) = (
        gating_unknown(&vx, "openshift"),
        gating_unknown(&vx, "default"),
        gating_unknown(&vx, "java"),
    );
    assert!(openshift > 0 && default > 1, "{openshift} {default}");
    assert_eq!(java, 0);
    assert!(vx.count("select count(*) from findings where environment = 'java'") > 0);
    let before: Vec<Value> = vx
        .sql_json("select finding_key, source, verdict from findings order by finding_key, source");

    // openshift exactly at its budget (warning from 80%), default one over it, java's budget
    // of none met by no unknown finding.
    let budgets = with_budgets(
        dir.path(),
        "budgets",
        &[
            ("openshift", openshift),
            ("default", default - 1),
            ("java", 0),
        ],
    );
    let out = vx.expect(
        1,
        &[
            "evaluate",
            "--as-of",
            AS_OF,
            "--policy",
            arg(&budgets),
            "--fail-on",
            "BLOCK",
        ],
    );
    assert!(
        out.contains(&format!(
            "unknown budgets: default {default} of {} (EXCEEDED: its unknown findings block); \
             java 0 of 0 (within); openshift {openshift} of {openshift} (warning: at least 80% \
             of the budget)",
            default - 1
        )),
        "{out}"
    );
    // Over the budget: every gating unknown finding of `default` is at least BLOCK, and says
    // why; the budget counted them before it raised them.
    assert_eq!(
        vx.count(
            "select count(*) from findings where environment = 'default' and unknown \
             and verdict not in ('BLOCK', 'FAIL')"
        ),
        0
    );
    assert_eq!(
        vx.count(&format!(
            "select count(*) from findings where environment = 'default' and unknown \
             and explained_trace like \
             '%unknown budget {default} of {} (exceeded); this unknown finding blocks%'",
            default - 1
        )),
        default
    );
    // At the threshold: the verdicts stay, the trace warns. Known findings never change.
    let after: Vec<Value> = vx
        .sql_json("select finding_key, source, verdict from findings order by finding_key, source");
    assert_eq!(before.len(), after.len());
    // Only the gating unknown findings of `default` changed, each from WARN (the default
    // policy's verdict for an undecidable match or an unknown severity) to BLOCK.
    let changed: Vec<_> = before.iter().zip(&after).filter(|(b, a)| b != a).collect();
    assert_eq!(changed.len() as i64, default, "{changed:?}");
    for (b, a) in &changed {
        assert_eq!(
            (&b["verdict"], &a["verdict"]),
            (&"WARN".into(), &"BLOCK".into())
        );
    }
    assert_eq!(
        vx.count(&format!(
            "select count(*) from findings where environment = 'openshift' and unknown \
             and explained_trace like \
             '%unknown budget {openshift} of {openshift} (warning); warning: near the budget%'"
        )),
        openshift
    );
    // The run records its budgets in its event.
    let payload = vx.sql_json(
        "select payload from events where type = 'evaluation.completed' \
         and subject = 'findings@2'",
    );
    let payload: Value = serde_json::from_str(payload[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(
        payload["unknown_budgets"][0]["state"], "exceeded",
        "{payload}"
    );
    assert_eq!(
        payload["unknown_budgets"][2]["state"], "warning",
        "{payload}"
    );

    // A budget with room: within, no trace warning, the same verdicts as without budgets.
    let roomy = with_budgets(dir.path(), "roomy", &[("openshift", openshift * 2)]);
    let out = vx.ok(&["evaluate", "--as-of", AS_OF, "--policy", arg(&roomy)]);
    assert!(
        out.contains(&format!(
            "unknown budgets: openshift {openshift} of {} (within)",
            openshift * 2
        )),
        "{out}"
    );
    let roomy_rows: Vec<Value> = vx
        .sql_json("select finding_key, source, verdict from findings order by finding_key, source");
    assert_eq!(roomy_rows, before);
}
