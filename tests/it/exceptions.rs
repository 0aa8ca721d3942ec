//! Exceptions and environments: each effect, the specificity ranking (image digest >
//! repository > purl@version > purl > vulnerability > tenant, then newest, then id), expiry
//! and deferrals against `--as-of`, environments by repository and by label, the
//! `exception.applied` events, and replay of a run that applied exceptions.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Vx, repo};
use crate::scoring::{JUNIT, ZK};

const AS_OF: &str = "2026-03-01T00:00:00Z";
const IMAGE_A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const IMAGE_B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The exceptions of `tests/fixtures/policies/exceptions.toml`, most specific first.
const RANKED: [&str; 6] = [
    "by-digest",
    "by-repository",
    "by-purl-version",
    "by-purl",
    "by-vulnerability",
    "by-tenant",
];

/// Two images with junit and zookeeper, and the real GHSA advisories that affect them. Image A
/// names its repository in its purl and carries the label env=production (as syft writes an
/// image's labels); image B is known only by its name.
fn lake(dir: &Path) -> Vx {
    let vx = Vx::local(&dir.join("lake"));
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(inputs.join("sboms")).unwrap();
    std::fs::create_dir_all(inputs.join("advisories")).unwrap();
    let c = |r: &str, purl: &str| json!({"type": "library", "bom-ref": r, "name": r, "purl": purl});
    let sbom = |name: &str, purl: String, properties: Value| {
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"component": {"type": "container", "name": name, "purl": purl,
                                       "properties": properties}},
            "components": [c("junit", JUNIT), c("zk", ZK)]
        })
    };
    let a = sbom(
        "app",
        format!(
            "pkg:oci/app@{}?repository_url=registry.example.com/app",
            IMAGE_A.replace(':', "%3A")
        ),
        json!([{"name": "syft:image:labels:env", "value": "production"},
               {"name": "syft:image:labels:team", "value": "payments"}]),
    );
    let b = sbom(
        "legacy/app",
        format!("pkg:oci/app@{}", IMAGE_B.replace(':', "%3A")),
        json!([]),
    );
    std::fs::write(inputs.join("sboms/a.cdx.json"), a.to_string()).unwrap();
    std::fs::write(inputs.join("sboms/b.cdx.json"), b.to_string()).unwrap();
    for id in ["GHSA-269g-pwp5-87pp", "GHSA-2hw2-62cp-p9p7"] {
        std::fs::copy(
            repo().join(format!("../shared/corpus/osv/osv-scalibr-ghsa/{id}.json")),
            inputs.join("advisories").join(format!("{id}.json")),
        )
        .unwrap();
    }
    for (kind, dir) in [("sbom", "sboms"), ("advisories", "advisories")] {
        vx.ok(&["ingest", kind, inputs.join(dir).to_str().unwrap()]);
    }
    vx
}

/// The fixture policy with `edit` applied to its TOML, written to `dir`.
fn policy_with(dir: &Path, name: &str, edit: impl FnOnce(&mut toml::Table)) -> PathBuf {
    let fixture = repo().join("tests/fixtures/policies/exceptions.toml");
    let mut table: toml::Table =
        toml::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    edit(&mut table);
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml::to_string(&table).unwrap()).unwrap();
    path
}

fn exceptions(table: &mut toml::Table) -> &mut Vec<toml::Value> {
    table["exceptions"].as_array_mut().unwrap()
}

fn evaluate(vx: &Vx, policy: &Path, as_of: &str) -> String {
    vx.ok(&[
        "evaluate",
        "--as-of",
        as_of,
        "--policy",
        policy.to_str().unwrap(),
    ])
}

/// The finding of `purl` in `image`.
fn finding(vx: &Vx, image: &str, purl: &str) -> Value {
    let rows = vx.sql_json(&format!(
        "select verdict, severity, environment, exception_id, exception_effect, \
         explained_trace as trace \
         from findings where image_digest = '{image}' and purl = '{purl}'"
    ));
    assert_eq!(rows.len(), 1, "{image} {purl}: {rows:?}");
    rows[0].clone()
}

fn field<'a>(f: &'a Value, name: &str) -> &'a str {
    f[name].as_str().unwrap_or("")
}

#[test]
fn the_most_specific_exception_wins_and_each_effect_does_what_it_says() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    // Without exceptions, the rule blocks every medium finding.
    let none = policy_with(dir.path(), "none", |t| {
        t.remove("exceptions");
    });
    evaluate(&vx, &none, AS_OF);
    for image in [IMAGE_A, IMAGE_B] {
        for purl in [JUNIT, ZK] {
            let f = finding(&vx, image, purl);
            assert_eq!(
                (field(&f, "verdict"), field(&f, "severity")),
                ("BLOCK", "medium"),
                "{f}"
            );
            assert_eq!(field(&f, "exception_id"), "", "{f}");
        }
    }
    // Environments: A by its label, B by its repository (its SBOM's name).
    assert_eq!(
        field(&finding(&vx, IMAGE_A, JUNIT), "environment"),
        "production"
    );
    assert_eq!(
        field(&finding(&vx, IMAGE_B, JUNIT), "environment"),
        "legacy"
    );

    // Drop the exceptions from the most specific down: each time the next one wins.
    // (verdict, severity, a piece of the trace) of junit in image A under each winner.
    let expected = [
        ("PASS", "medium", "by-digest (suppress; scope image_digest="),
        (
            "WARN",
            "medium",
            "by-repository (require-control with control WAF-7; scope repository=registry.example.com/app*",
        ),
        (
            "WARN",
            "low",
            "by-purl-version (downgrade to low; scope purl=pkg:maven/junit/junit@4.12",
        ),
        (
            "WARN",
            "medium",
            "by-purl (defer until 2026-06-01T00:00:00Z; scope purl=pkg:maven/junit/junit;",
        ),
        (
            "PASS",
            "medium",
            "by-vulnerability (suppress; scope vulnerability=CVE-2020-15250;",
        ),
        (
            "WARN",
            "medium",
            "by-tenant (require-control with control SEC-REVIEW; scope tenant=default;",
        ),
    ];
    for (k, (verdict, severity, trace)) in expected.into_iter().enumerate() {
        let p = policy_with(dir.path(), &format!("from-{k}"), |t| {
            exceptions(t).drain(..k);
        });
        evaluate(&vx, &p, AS_OF);
        let f = finding(&vx, IMAGE_A, JUNIT);
        assert_eq!(field(&f, "exception_id"), RANKED[k], "{f}");
        assert_eq!(
            (field(&f, "verdict"), field(&f, "severity")),
            (verdict, severity),
            "{k}: {f}"
        );
        assert!(
            field(&f, "trace").contains(&format!("exception:{trace}")),
            "{f}"
        );
        // Image B: no digest or repository exception reaches it, so the first purl, then
        // vulnerability, then tenant scope does.
        let b = finding(&vx, IMAGE_B, JUNIT);
        assert_eq!(field(&b, "exception_id"), RANKED[k.max(2)], "{b}");
        // Zookeeper in either image: only the repository (image A) and the tenant scope hold.
        let zk_a = finding(&vx, IMAGE_A, ZK);
        let want = if k <= 1 { "by-repository" } else { "by-tenant" };
        assert_eq!(field(&zk_a, "exception_id"), want, "{zk_a}");
        assert_eq!(
            field(&finding(&vx, IMAGE_B, ZK), "exception_id"),
            "by-tenant"
        );
    }
}

#[test]
fn expired_future_and_ended_exceptions_do_not_apply_and_ties_go_to_the_newest_then_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    let only = |keep: &[&str], t: &mut toml::Table| {
        exceptions(t).retain(|x| keep.contains(&x["id"].as_str().unwrap()));
    };
    // by-digest expires at 2026-12-31: at the end of the year it no longer holds, and the
    // repository exception decides.
    let p = policy_with(dir.path(), "two", |t| {
        only(&["by-digest", "by-repository"], t)
    });
    evaluate(&vx, &p, AS_OF);
    assert_eq!(
        field(&finding(&vx, IMAGE_A, JUNIT), "exception_id"),
        "by-digest"
    );
    evaluate(&vx, &p, "2026-12-31T00:00:00Z");
    assert_eq!(
        field(&finding(&vx, IMAGE_A, JUNIT), "exception_id"),
        "by-repository"
    );
    // ... and before it was created (2026-01-10) it does not hold either.
    evaluate(&vx, &p, "2026-01-09T00:00:00Z");
    assert_eq!(
        field(&finding(&vx, IMAGE_A, JUNIT), "exception_id"),
        "by-repository"
    );

    // A deferral ends at its date: afterwards the rule blocks again.
    let p = policy_with(dir.path(), "defer", |t| only(&["by-purl"], t));
    evaluate(&vx, &p, AS_OF);
    let f = finding(&vx, IMAGE_A, JUNIT);
    assert_eq!(
        (field(&f, "verdict"), field(&f, "exception_id")),
        ("WARN", "by-purl")
    );
    evaluate(&vx, &p, "2026-06-01T00:00:00Z");
    let f = finding(&vx, IMAGE_A, JUNIT);
    assert_eq!(
        (field(&f, "verdict"), field(&f, "exception_id")),
        ("BLOCK", "")
    );
    assert!(field(&f, "trace").contains("exception:none"), "{f}");

    // Equally specific: the newest wins; equally new: the smaller id.
    let same_scope = |id: &str, created: &str, effect: &str| {
        let mut x = toml::Table::new();
        x.insert("id".into(), id.into());
        let mut scope = toml::Table::new();
        scope.insert("vulnerability".into(), "GHSA-269g-pwp5-87pp".into());
        x.insert("scope".into(), scope.into());
        x.insert("effect".into(), effect.into());
        if effect == "require-control" {
            x.insert("control".into(), "C-1".into());
        }
        x.insert("created".into(), created.into());
        x.insert("owner".into(), "o".into());
        x.insert("reason".into(), "r".into());
        toml::Value::Table(x)
    };
    let p = policy_with(dir.path(), "ties", |t| {
        let xs = exceptions(t);
        xs.clear();
        xs.push(same_scope("older", "2026-01-01", "suppress"));
        xs.push(same_scope("newer", "2026-02-01", "require-control"));
        xs.push(same_scope("a-newer-too", "2026-02-01", "require-control"));
    });
    evaluate(&vx, &p, AS_OF);
    assert_eq!(
        field(&finding(&vx, IMAGE_A, JUNIT), "exception_id"),
        "a-newer-too"
    );
    // Before the newer ones exist, the older one holds.
    evaluate(&vx, &p, "2026-01-15T00:00:00Z");
    let f = finding(&vx, IMAGE_B, JUNIT);
    assert_eq!(
        (field(&f, "exception_id"), field(&f, "verdict")),
        ("older", "PASS")
    );
}

#[test]
fn applied_exceptions_are_events_and_the_run_replays() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    let p = repo().join("tests/fixtures/policies/exceptions.toml");
    let out = evaluate(&vx, &p, AS_OF);
    // junit A: by-digest; junit B: by-purl-version; both zookeepers: repository (A), tenant (B).
    assert!(
        out.contains(
            "exceptions applied (4): by-digest suppress (1 finding), by-purl-version downgrade (1 finding), \
             by-repository require-control (1 finding), by-tenant require-control (1 finding)"
        ),
        "{out}"
    );
    let events = vx.sql_json(
        "select subject, payload from events where type = 'exception.applied' order by subject",
    );
    assert_eq!(events.len(), 4, "{events:?}");
    let payload: Value = serde_json::from_str(events[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(events[0]["subject"], "exception:by-digest");
    assert_eq!(
        (
            &payload["effect"],
            &payload["findings"],
            &payload["owner"],
            &payload["expires"],
            &payload["scope"]["image_digest"]
        ),
        (
            &json!("suppress"),
            &json!(1),
            &json!("appsec@example.com"),
            &json!("2026-12-31T00:00:00Z"),
            &json!(IMAGE_A)
        ),
        "{payload}"
    );
    // The back-link to the advisory document: the advisory_raw row of the revision matched.
    assert_eq!(
        vx.count(
            "select count(*) from findings f join advisory_raw r \
             on f.source = r.source and f.vulnerability_id = r.advisory_id \
             and f.advisory_revision = r.revision and f.advisory_sha256 = r.content_sha256"
        ),
        4
    );
    // The trace carries the winning exception whole.
    let trace = vx.sql_json(&format!(
        "select explained_trace from findings where image_digest = '{IMAGE_B}' and purl = '{JUNIT}'"
    ));
    let trace: Value = serde_json::from_str(trace[0]["explained_trace"].as_str().unwrap()).unwrap();
    assert_eq!(
        (
            &trace["exception"]["id"],
            &trace["exception"]["severity"],
            &trace["inputs"]["advisory_severity"],
            &trace["inputs"]["severity"],
            &trace["rules_matched"],
            &trace["verdict"],
        ),
        (
            &json!("by-purl-version"),
            &json!("low"),
            &json!("medium"),
            &json!("low"),
            &json!([]),
            &json!("WARN")
        ),
        "{trace}"
    );
    // `policy explain` ranks them the same way.
    let explained = vx.ok(&["policy", "explain", p.to_str().unwrap()]);
    let order: Vec<usize> = RANKED
        .iter()
        .map(|id| explained.find(&format!("--   {id}: ")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{explained}");
    let out = vx.ok(&["replay", "--version", "1"]);
    assert!(out.contains("rows identical"), "{out}");
}
