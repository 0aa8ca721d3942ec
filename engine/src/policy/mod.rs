//! Policy files: what evaluation decides, as data (README, "Policy files").
//!
//! A policy is read from TOML into [`Policy`], its IR; the IR is checked (ids, verdicts,
//! severities, weights; each rule's `when` planned against the finding context, which must
//! give a boolean), serialized canonically (JSON, keys in a fixed order) and hashed: the
//! policy hash of every finding. [`compile`] turns the rules into the one ordered first-match
//! CASE that `sql/evaluate.sql` and `sql/findings.sql` run between them.

pub mod compile;
pub mod exceptions;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{EngineError, Result};
pub use exceptions::{Budget, Environment, Exception, Scope};

/// The default policy, `datasets/policies/default.toml`, compiled into the binary.
pub const DEFAULT_TOML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../datasets/policies/default.toml"
));

const VERDICTS: [&str; 4] = ["PASS", "WARN", "BLOCK", "FAIL"];
/// Severities from the lowest; `escalate` moves one step up (critical stays critical).
pub const SEVERITIES: [&str; 6] = ["unknown", "none", "low", "medium", "high", "critical"];

/// A policy: the IR every check, the hash and the compiler work on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub weights: Weights,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Which subjects are which environment; the first that matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Environment>,
    /// Unknown budgets by environment name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub budgets: BTreeMap<String, Budget>,
    /// Exceptions; the most specific one in scope applies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    #[serde(default)]
    pub score: ScoreWeights,
    #[serde(default)]
    pub confidence: ConfidenceWeights,
}

/// The weights of `evidence_score` (DESIGN.md's defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreWeights {
    pub severity: f64,
    pub trust: f64,
    pub reachability: f64,
    pub runtime: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        let [severity, trust, reachability, runtime] = vexlake_udfs::kernels::score::SCORE_WEIGHTS;
        ScoreWeights {
            severity,
            trust,
            reachability,
            runtime,
        }
    }
}

/// The weights of `confidence`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConfidenceWeights {
    pub reachability: f64,
    pub runtime: f64,
    pub vex: f64,
    pub provenance: f64,
    pub policy: f64,
}

impl Default for ConfidenceWeights {
    fn default() -> Self {
        let [reachability, runtime, vex, provenance, policy] =
            vexlake_udfs::kernels::score::CONFIDENCE_WEIGHTS;
        ConfidenceWeights {
            reachability,
            runtime,
            vex,
            provenance,
            policy,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// The verdict of a finding no rule matches.
    #[serde(default = "warn")]
    pub verdict: String,
}

fn warn() -> String {
    "WARN".into()
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults { verdict: warn() }
    }
}

/// A rule: when its condition holds (and no rule before it matched), its actions apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// Lower first; equal priorities keep their order in the file.
    #[serde(default)]
    pub priority: i64,
    /// A SQL boolean expression over the finding context.
    pub when: String,
    /// Assign this verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
    /// Assign this severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Raise the severity one step (after an assigned one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub escalate: bool,
    /// Add these key/value notes to the finding's trace.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotate: BTreeMap<String, String>,
    /// Add this warning to the finding's trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn: Option<String>,
}

/// Where something of a policy file is: `file:line:column`.
fn place(origin: &str, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{origin}:{line}:{column}")
}

/// Where the rules' `when` texts, the exceptions' ids and the environments' names stand in the
/// file (for errors).
#[derive(Deserialize)]
struct Places {
    #[serde(default)]
    rules: Vec<RulePlace>,
    #[serde(default)]
    exceptions: Vec<IdPlace>,
    #[serde(default)]
    environments: Vec<NamePlace>,
}

#[derive(Deserialize)]
struct RulePlace {
    when: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
struct IdPlace {
    id: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
struct NamePlace {
    name: Option<toml::Spanned<String>>,
}

fn spans<T>(
    items: &[T],
    origin: &str,
    text: &str,
    span: impl Fn(&T) -> Option<&toml::Spanned<String>>,
) -> Vec<String> {
    items
        .iter()
        .map(|item| {
            span(item)
                .map(|s| place(origin, text, s.span().start))
                .unwrap_or_else(|| origin.to_string())
        })
        .collect()
}

/// A policy read from a file, with where each rule's `when` stands in it.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub policy: Policy,
    /// `file:line:column` of each rule's `when`, in rule order.
    pub places: Vec<String>,
}

impl Loaded {
    /// The shipped default policy.
    pub fn default_policy() -> Loaded {
        parse(DEFAULT_TOML, "datasets/policies/default.toml").expect("the default policy is valid")
    }
}

impl Policy {
    /// The shipped default policy.
    pub fn default_policy() -> Policy {
        Loaded::default_policy().policy
    }

    /// The canonical text of the policy: JSON with keys in a fixed order, the hash's input and
    /// what a run's event records (replay reads it back).
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// sha256 of the canonical JSON, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_json().as_bytes()))
    }

    /// The rules in the order they are tried (priority, then file order), each with its place
    /// in the file's list.
    pub fn ordered_rules(&self) -> Vec<(usize, &Rule)> {
        let mut rules: Vec<(usize, &Rule)> = self.rules.iter().enumerate().collect();
        rules.sort_by_key(|(_, r)| r.priority);
        rules
    }
}

/// Reads the policy file at `path`.
pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        EngineError::Config(format!(
            "{}: cannot read the policy file: {e}",
            path.display()
        ))
    })?;
    parse(&text, &path.display().to_string()).map_err(EngineError::Config)
}

/// Parses and checks a policy's text (`origin` names it in errors); the checks that need the
/// finding context are [`compile::check_conditions`]'s.
pub fn parse(text: &str, origin: &str) -> std::result::Result<Loaded, String> {
    let policy: Policy = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| place(origin, text, s.start))
            .unwrap_or_else(|| origin.to_string());
        format!("{at}: {}", e.message())
    })?;
    let all: Places = toml::from_str(text).map_err(|e| format!("{origin}: {}", e.message()))?;
    let places = spans(&all.rules, origin, text, |r| r.when.as_ref());
    check(&policy, &places)
        .and_then(|()| {
            exceptions::check(
                &policy.environments,
                &policy.budgets,
                &policy.exceptions,
                &spans(&all.environments, origin, text, |e| e.name.as_ref()),
                &spans(&all.exceptions, origin, text, |x| x.id.as_ref()),
            )
        })
        .map_err(|e| {
            if e.starts_with(origin) {
                e
            } else {
                format!("{origin}: {e}")
            }
        })?;
    Ok(Loaded { policy, places })
}

/// The checks that need no finding context.
fn check(policy: &Policy, places: &[String]) -> std::result::Result<(), String> {
    if policy.id.trim().is_empty() {
        return Err("the policy has an empty id".into());
    }
    if policy.version.trim().is_empty() {
        return Err(format!("policy {:?} has an empty version", policy.id));
    }
    if !VERDICTS.contains(&policy.defaults.verdict.as_str()) {
        return Err(format!(
            "defaults.verdict {:?} is not one of PASS, WARN, BLOCK, FAIL",
            policy.defaults.verdict
        ));
    }
    let w = &policy.weights;
    let weights = [
        ("weights.score.severity", w.score.severity),
        ("weights.score.trust", w.score.trust),
        ("weights.score.reachability", w.score.reachability),
        ("weights.score.runtime", w.score.runtime),
        ("weights.confidence.reachability", w.confidence.reachability),
        ("weights.confidence.runtime", w.confidence.runtime),
        ("weights.confidence.vex", w.confidence.vex),
        ("weights.confidence.provenance", w.confidence.provenance),
        ("weights.confidence.policy", w.confidence.policy),
    ];
    for (name, v) in weights {
        if !v.is_finite() || v < 0.0 {
            return Err(format!("{name} = {v}: a weight is a number of 0 or more"));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        let at = places.get(i).map(String::as_str).unwrap_or("");
        let name = format!("{at}: rule {:?}", rule.id);
        if rule.id.trim().is_empty() {
            return Err(format!("{at}: rule {} has an empty id", i + 1));
        }
        if !ids.insert(rule.id.as_str()) {
            return Err(format!("{name}: the id is used by an earlier rule"));
        }
        if rule.when.trim().is_empty() {
            return Err(format!("{name}: `when` is empty"));
        }
        if let Some(v) = &rule.verdict
            && !VERDICTS.contains(&v.as_str())
        {
            return Err(format!(
                "{name}: verdict {v:?} is not one of PASS, WARN, BLOCK, FAIL"
            ));
        }
        if let Some(s) = &rule.severity
            && !SEVERITIES.contains(&s.as_str())
        {
            return Err(format!(
                "{name}: severity {s:?} is not one of {}",
                SEVERITIES.join(", ")
            ));
        }
        if rule.verdict.is_none()
            && rule.severity.is_none()
            && !rule.escalate
            && rule.annotate.is_empty()
            && rule.warn.is_none()
        {
            return Err(format!(
                "{name}: no action (verdict, severity, escalate, annotate or warn)"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_reads_and_hashes_stably() {
        let p = Policy::default_policy();
        assert_eq!(p.id, "vexlake-default");
        assert_eq!(p.rules.len(), 6);
        let again: Policy = serde_json::from_str(&p.canonical_json()).unwrap();
        assert_eq!(again, p);
        assert_eq!(again.hash(), p.hash());
    }

    #[test]
    fn errors_name_the_place_and_the_rule() {
        let text = "id = \"p\"\nversion = \"1\"\n[[rules]]\nid = \"a\"\nwhen = \"true\"\nverdict = \"MAYBE\"\n";
        let e = parse(text, "p.toml").unwrap_err();
        assert_eq!(
            e,
            "p.toml:5:8: rule \"a\": verdict \"MAYBE\" is not one of PASS, WARN, BLOCK, FAIL"
        );
        let e = parse("id = \"p\"\nversion = \"1\"\nwaivers = 3\n", "p.toml").unwrap_err();
        assert!(e.starts_with("p.toml:3:1: unknown field `waivers`"), "{e}");
        let exception = |body: &str| {
            parse(
                &format!("id = \"p\"\nversion = \"1\"\n[[exceptions]]\nid = \"x\"\n{body}"),
                "p.toml",
            )
        };
        let e = exception("scope = {}\neffect = \"suppress\"\nowner = \"o\"\nreason = \"r\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("p.toml:4:6: exception \"x\": an empty scope"),
            "{e}"
        );
        let e = exception(
            "scope = { purl = \"pkg:npm/a\" }\neffect = \"defer\"\nowner = \"o\"\nreason = \"r\"\n",
        )
        .unwrap_err();
        assert!(e.contains("effect defer needs `until`"), "{e}");
        let e = exception(
            "scope = { purl = \"pkg:npm/a\" }\neffect = \"suppress\"\nseverity = \"low\"\nowner = \"o\"\nreason = \"r\"\n",
        )
        .unwrap_err();
        assert!(
            e.contains("`severity` is for effect downgrade, this one is suppress"),
            "{e}"
        );
        let e = exception(
            "scope = { purl = \"pkg:npm/a\" }\neffect = \"suppress\"\nexpires = \"soon\"\nowner = \"o\"\nreason = \"r\"\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("p.toml:7:11:") && e.contains("\"soon\" is not a date"),
            "{e}"
        );
        let e = parse(
            "id = \"p\"\nversion = \"1\"\n[budgets.prod]\nmax_unknown = 3\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(
            e.contains("budgets.prod: no environment is named \"prod\""),
            "{e}"
        );
        let e = parse(
            "id = \"p\"\nversion = \"1\"\n[weights.score]\nseverity = -1\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(e.contains("weights.score.severity = -1"), "{e}");
        let e = parse(
            "id = \"p\"\nversion = \"1\"\n[[rules]]\nid = \"a\"\nwhen = \"true\"\n[[rules]]\nid = \"a\"\nwhen = \"false\"\nwarn = \"x\"\n",
            "p.toml",
        )
        .unwrap_err();
        assert!(e.contains("no action"), "{e}");
    }

    /// The JSON Schema of policy files agrees with the reader: the default policy and the test
    /// policies satisfy it, and the files the reader refuses for their shape break it.
    #[test]
    fn the_json_schema_agrees_with_the_reader() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("datasets/schemas/vexlake-policy.schema.json"))
                .unwrap(),
        )
        .unwrap();
        let mut compiler = boon::Compiler::new();
        compiler.add_resource("policy.json", schema).unwrap();
        let mut schemas = boon::Schemas::new();
        let index = compiler.compile("policy.json", &mut schemas).unwrap();
        // TOML as JSON: a date or date-time is its text.
        fn json(v: toml::Value) -> serde_json::Value {
            match v {
                toml::Value::Datetime(d) => d.to_string().into(),
                toml::Value::Array(a) => a.into_iter().map(json).collect(),
                toml::Value::Table(t) => t.into_iter().map(|(k, v)| (k, json(v))).collect(),
                other => serde_json::to_value(other).unwrap(),
            }
        }
        let as_json = |path: &Path| -> serde_json::Value {
            let text = std::fs::read_to_string(path).unwrap();
            json(toml::Value::Table(toml::from_str(&text).unwrap()))
        };
        let mut files = vec![root.join("datasets/policies/default.toml")];
        let fixtures = root.join("tests/fixtures/policies");
        for entry in std::fs::read_dir(&fixtures).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
        assert!(files.len() >= 4, "{files:?}");
        for path in &files {
            assert!(load(path).is_ok(), "{}", path.display());
            let json = as_json(path);
            if let Err(e) = schemas.validate(&json, index) {
                panic!("{}: {e}", path.display());
            }
        }
        for bad in [
            "unknown-field.toml",
            "bad-weight.toml",
            "exception-without-owner.toml",
            "defer-without-until.toml",
        ] {
            let path = fixtures.join("bad").join(bad);
            assert!(load(&path).is_err(), "{bad}");
            assert!(schemas.validate(&as_json(&path), index).is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_are_tried_by_priority_then_file_order() {
        let text = "id = \"p\"\nversion = \"1\"\n\
            [[rules]]\nid = \"b\"\npriority = 5\nwhen = \"true\"\nwarn = \"b\"\n\
            [[rules]]\nid = \"a\"\npriority = 1\nwhen = \"true\"\nwarn = \"a\"\n\
            [[rules]]\nid = \"c\"\npriority = 5\nwhen = \"true\"\nwarn = \"c\"\n";
        let p = parse(text, "p.toml").unwrap().policy;
        let order: Vec<&str> = p
            .ordered_rules()
            .iter()
            .map(|(_, r)| r.id.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
    }
}
