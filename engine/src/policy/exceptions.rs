//! The parts of a policy that speak about subjects rather than findings: environments (which
//! images are production), unknown budgets per environment, and exceptions (a scope, an
//! effect, an expiry, an owner and a reason).
//!
//! Patterns are globs (`*` any run of characters, `?` one), compiled here to anchored regular
//! expressions that the SQL pipeline tests with `regexp_like`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use vexlake_udfs::kernels::purl::Purl;

use super::SEVERITIES;

/// A named set of subjects: those whose repository matches `repository` and that carry a
/// label matching `label` (both when both are given).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: String,
    /// A glob over the subject's repository (`registry.example.com/prod/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// `key=value-glob`, or `key` for any value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The environment of subjects no environment matches.
pub const DEFAULT_ENVIRONMENT: &str = "default";

/// An environment's budget of unknown findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The most unknown findings allowed; more blocks them.
    pub max_unknown: u64,
    /// From this fraction of `max_unknown` on, unknown findings warn.
    #[serde(default = "warn_threshold")]
    pub warn_threshold: f64,
}

fn warn_threshold() -> f64 {
    vexlake_udfs::kernels::score::BUDGET_WARN_THRESHOLD
}

/// What an exception does to the findings in its scope.
pub const EFFECTS: [&str; 4] = ["suppress", "defer", "downgrade", "require-control"];

/// An exception: the findings in `scope` get `effect`, from `created` until `expires`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    pub id: String,
    pub scope: Scope,
    /// `suppress`, `defer`, `downgrade` or `require-control`.
    pub effect: String,
    /// `defer`: the date until which the findings do not gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Stamp>,
    /// `downgrade`: the severity the findings get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// `require-control`: the id of the compensating control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// From when the exception holds (and which of two equally specific ones is newer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Stamp>,
    /// When it stops holding; none: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Stamp>,
    pub owner: String,
    pub reason: String,
}

/// Which findings an exception covers: all the given fields must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
    /// A glob over the subject's repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// A package, with or without a version (`pkg:npm/lodash` or `pkg:npm/lodash@4.17.20`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// A vulnerability id or any of its aliases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<String>,
}

impl Scope {
    /// How specific the scope is: 1 (an image digest) is the most, 6 (a tenant) the least.
    /// The most specific field decides.
    pub fn specificity(&self) -> Option<i64> {
        let versioned = self
            .purl
            .as_deref()
            .and_then(Purl::parse)
            .is_some_and(|p| p.version.is_some());
        [
            (self.image_digest.is_some(), 1),
            (self.repository.is_some(), 2),
            (self.purl.is_some() && versioned, 3),
            (self.purl.is_some(), 4),
            (self.vulnerability.is_some(), 5),
            (self.tenant.is_some(), 6),
        ]
        .into_iter()
        .find(|(present, _)| *present)
        .map(|(_, rank)| rank)
    }

    /// The scope's fields as `field=value`, most specific first (for traces and `explain`).
    pub fn describe(&self) -> String {
        [
            ("image_digest", &self.image_digest),
            ("repository", &self.repository),
            ("purl", &self.purl),
            ("vulnerability", &self.vulnerability),
            ("tenant", &self.tenant),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// The exceptions in the order they are tried: the most specific scope first, then the newest
/// (`created`; one without it after those with one), then the id. The first whose scope holds
/// a finding applies to it.
pub fn ranked(exceptions: &[Exception]) -> Vec<&Exception> {
    let mut ranked: Vec<&Exception> = exceptions.iter().collect();
    // The key parses the scope's purl: computed once per exception.
    ranked.sort_by_cached_key(|x| {
        (
            x.scope.specificity(),
            std::cmp::Reverse(x.created.clone()),
            x.id.clone(),
        )
    });
    ranked
}

/// A point in time as a policy writes it: an RFC 3339 time, a date (midnight UTC) or a TOML
/// date-time; kept as RFC 3339 in UTC (`2027-01-31T00:00:00Z`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Stamp(pub String);

impl Stamp {
    pub fn parse(text: &str) -> Result<Stamp, String> {
        let time = match DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| {
                    format!("{text:?} is not a date (2027-01-31) or an RFC 3339 time (2027-01-31T12:00:00Z)")
                })?
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc(),
        };
        Ok(Stamp(time.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
    }

    pub fn micros(&self) -> i64 {
        DateTime::parse_from_rfc3339(&self.0).map_or(0, |t| t.timestamp_micros())
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Written::deserialize(d)? {
            Written::Text(t) => t,
            Written::Toml(t) => t.to_string(),
        };
        Stamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A glob as an anchored regular expression: `*` any run of characters, `?` one, the rest
/// literal.
pub fn glob_regex(glob: &str) -> String {
    let mut re = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    re
}

/// A label pattern (`key=value-glob`, or `key` for any value) as a regular expression over the
/// subject's labels, one `key=value` per line.
pub fn label_regex(label: &str) -> String {
    let (key, value) = label.split_once('=').unwrap_or((label, "*"));
    let value = glob_regex(value);
    format!(
        "(?m)^{}={}$",
        regex::escape(key),
        &value[1..value.len() - 1]
    )
}

/// The checks of environments, budgets and exceptions; `places[i]` is where exception `i`
/// stands in the file, `env_places[i]` environment `i`.
pub fn check(
    environments: &[Environment],
    budgets: &std::collections::BTreeMap<String, Budget>,
    exceptions: &[Exception],
    env_places: &[String],
    places: &[String],
) -> Result<(), String> {
    let mut names = std::collections::HashSet::new();
    for (i, env) in environments.iter().enumerate() {
        let at = env_places.get(i).map(String::as_str).unwrap_or("");
        let name = format!("{at}: environment {:?}", env.name);
        if env.name.trim().is_empty() {
            return Err(format!("{at}: environment {} has an empty name", i + 1));
        }
        if env.name == DEFAULT_ENVIRONMENT {
            return Err(format!(
                "{name}: `{DEFAULT_ENVIRONMENT}` is the environment of subjects no environment \
                 matches; it cannot be declared"
            ));
        }
        if !names.insert(env.name.as_str()) {
            return Err(format!(
                "{name}: the name is used by an earlier environment"
            ));
        }
        if env.repository.is_none() && env.label.is_none() {
            return Err(format!(
                "{name}: give a `repository` pattern, a `label`, or both"
            ));
        }
        if env
            .label
            .as_deref()
            .is_some_and(|l| l.split('=').next().unwrap_or("").is_empty())
        {
            return Err(format!("{name}: a label is `key=value` or `key`"));
        }
    }
    for (env, budget) in budgets {
        if env != DEFAULT_ENVIRONMENT && !names.contains(env.as_str()) {
            return Err(format!(
                "budgets.{env}: no environment is named {env:?} (declared: {})",
                declared(environments)
            ));
        }
        if !(0.0..=1.0).contains(&budget.warn_threshold) {
            return Err(format!(
                "budgets.{env}.warn_threshold = {}: a fraction of max_unknown, 0 to 1",
                budget.warn_threshold
            ));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, x) in exceptions.iter().enumerate() {
        let at = places.get(i).map(String::as_str).unwrap_or("");
        let name = format!("{at}: exception {:?}", x.id);
        if x.id.trim().is_empty() {
            return Err(format!("{at}: exception {} has an empty id", i + 1));
        }
        if !ids.insert(x.id.as_str()) {
            return Err(format!("{name}: the id is used by an earlier exception"));
        }
        if x.scope.specificity().is_none() {
            return Err(format!(
                "{name}: an empty scope; give at least one of image_digest, repository, purl, \
                 vulnerability, tenant"
            ));
        }
        if let Some(p) = &x.scope.purl
            && Purl::parse(p).is_none()
        {
            return Err(format!("{name}: scope.purl {p:?} is not a package URL"));
        }
        if let Some(d) = &x.scope.image_digest
            && !d.contains(':')
        {
            return Err(format!(
                "{name}: scope.image_digest {d:?} is not a digest (sha256:…)"
            ));
        }
        if !EFFECTS.contains(&x.effect.as_str()) {
            return Err(format!(
                "{name}: effect {:?} is not one of {}",
                x.effect,
                EFFECTS.join(", ")
            ));
        }
        let needs = |field: &str, given: bool, effect: &str| -> Result<(), String> {
            match (x.effect == effect, given) {
                (true, false) => Err(format!("{name}: effect {effect} needs `{field}`")),
                (false, true) => Err(format!(
                    "{name}: `{field}` is for effect {effect}, this one is {}",
                    x.effect
                )),
                _ => Ok(()),
            }
        };
        needs("until", x.until.is_some(), "defer")?;
        needs("severity", x.severity.is_some(), "downgrade")?;
        needs("control", x.control.is_some(), "require-control")?;
        if let Some(s) = &x.severity
            && (s == "unknown" || !SEVERITIES.contains(&s.as_str()))
        {
            return Err(format!(
                "{name}: severity {s:?}: a downgrade is to one of {}",
                SEVERITIES[1..].join(", ")
            ));
        }
        if x.control.as_deref().is_some_and(|c| c.trim().is_empty()) {
            return Err(format!("{name}: `control` is empty"));
        }
        if x.owner.trim().is_empty() || x.reason.trim().is_empty() {
            return Err(format!(
                "{name}: an exception needs an `owner` and a `reason`"
            ));
        }
        if let (Some(c), Some(e)) = (&x.created, &x.expires)
            && e <= c
        {
            return Err(format!(
                "{name}: it expires ({}) before it is created ({})",
                e.0, c.0
            ));
        }
    }
    Ok(())
}

fn declared(environments: &[Environment]) -> String {
    let names: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
    if names.is_empty() {
        format!("none; `{DEFAULT_ENVIRONMENT}` is every subject")
    } else {
        format!("{}, and `{DEFAULT_ENVIRONMENT}`", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_and_labels_become_anchored_expressions() {
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let prod = re(&glob_regex("registry.example.com/prod/*"));
        assert!(prod.is_match("registry.example.com/prod/api"));
        assert!(!prod.is_match("registry.example.com/staging/api"));
        assert!(!prod.is_match("registryXexample.com/prod/api"));
        assert!(re(&glob_regex("app-?")).is_match("app-1"));
        let label = re(&label_regex("env=prod*"));
        assert!(label.is_match("a=b\nenv=production\nz=1"));
        assert!(!label.is_match("env=staging\nxenv=prod"));
        assert!(re(&label_regex("team")).is_match("team=core"));
    }

    #[test]
    fn stamps_read_dates_and_times_as_utc() {
        assert_eq!(
            Stamp::parse("2027-01-31").unwrap().0,
            "2027-01-31T00:00:00Z"
        );
        assert_eq!(
            Stamp::parse("2027-01-31T12:00:00+02:00").unwrap().0,
            "2027-01-31T10:00:00Z"
        );
        assert!(Stamp::parse("next week").is_err());
        // A TOML date-time, unquoted, reads as well as a string.
        #[derive(Deserialize)]
        struct T {
            a: Stamp,
            b: Stamp,
        }
        let t: T = toml::from_str("a = 2027-01-31\nb = \"2027-02-01T00:00:00Z\"\n").unwrap();
        assert_eq!(
            (t.a.0.as_str(), t.b.0.as_str()),
            ("2027-01-31T00:00:00Z", "2027-02-01T00:00:00Z")
        );
    }

    #[test]
    fn the_most_specific_field_ranks_a_scope() {
        let scope = |s: &str| -> Scope { toml::from_str(s).unwrap() };
        assert_eq!(scope("tenant = \"t\"").specificity(), Some(6));
        assert_eq!(
            scope("vulnerability = \"CVE-1\"\ntenant = \"t\"").specificity(),
            Some(5)
        );
        assert_eq!(scope("purl = \"pkg:npm/a\"").specificity(), Some(4));
        assert_eq!(scope("purl = \"pkg:npm/a@1\"").specificity(), Some(3));
        assert_eq!(
            scope("repository = \"r/*\"\npurl = \"pkg:npm/a@1\"").specificity(),
            Some(2)
        );
        assert_eq!(scope("image_digest = \"sha256:ab\"").specificity(), Some(1));
        assert_eq!(Scope::default().specificity(), None);
    }
}
