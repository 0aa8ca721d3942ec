//! The purl specification's own test suite (package-url/purl-spec `tests/`, copied to
//! `tests/fixtures/purl-spec/`): every parse, build and validate case, required and recommended.

use std::path::Path;

use serde_json::Value;
use vexlake_udfs::kernels::purl::{Components, Purl};

fn cases() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/purl-spec");
    let mut files = vec![root.join("spec/specification-test.json")];
    let mut types: Vec<_> = std::fs::read_dir(root.join("types"))
        .expect("tests/fixtures/purl-spec/types")
        .map(|e| e.unwrap().path())
        .collect();
    types.sort();
    files.extend(types);
    let mut out = Vec::new();
    for f in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        for t in doc["tests"].as_array().unwrap() {
            out.push((name.clone(), t.clone()));
        }
    }
    out
}

fn components(p: &Purl) -> Value {
    let opt = |s: Option<&str>| s.map_or(Value::Null, |s| Value::String(s.to_string()));
    let ns = p.namespace.join("/");
    let qualifiers = if p.qualifiers.is_empty() {
        Value::Null
    } else {
        Value::Object(
            p.qualifiers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    serde_json::json!({
        "type": p.ty,
        "namespace": opt((!ns.is_empty()).then_some(ns.as_str())),
        "name": p.name,
        "version": opt(p.version.as_deref()),
        "qualifiers": qualifiers,
        "subpath": opt(p.subpath.as_deref()),
    })
}

/// What vexlake answers for one case, as the suite's `expected_output` would spell it
/// (`Err` when it refuses the input).
fn answer(t: &Value) -> Result<Value, String> {
    let input = &t["input"];
    match t["test_type"].as_str().unwrap() {
        "parse" => Purl::parse_strict(input.as_str().unwrap()).map(|p| components(&p)),
        "validate" => Purl::parse_strict(input.as_str().unwrap()).map(|p| p.canonical().into()),
        "build" => {
            let s = |k: &str| input[k].as_str();
            let qualifiers = input["qualifiers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            Purl::build(&Components {
                ty: s("type"),
                namespace: s("namespace"),
                name: s("name"),
                version: s("version"),
                qualifiers,
                subpath: s("subpath"),
            })
            .map(|p| p.canonical().into())
        }
        other => panic!("unknown test_type {other}"),
    }
}

/// Cases vexlake answers differently on purpose, each with the reason: the suite contradicts
/// itself or the type definitions there. (file, test_type, input.)
const KNOWN: [(&str, &str, &str, &str); 3] = [
    (
        "gem-test.json",
        "parse",
        "pkg:gem/jruby-launcher@1.1.2?Platform=java",
        "expects a failure for an upper-case qualifier key, but the same suite's validate case on \
         this very input expects `?platform=java`, and maven-test.json's required parse case \
         accepts `repositorY_url`: keys are case-insensitive and lowercased",
    ),
    (
        "rpm-test.json",
        "parse",
        "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25",
        "the same contradiction: rpm-test.json's validate case on this input expects \
         `?arch=i386&distro=fedora-25`",
    ),
    (
        "git-test.json",
        "validate",
        "pkg:git/github/Package-url/purl-Spec@244fd47e07d1004f0aed9c",
        "a recommended case that lowercases a git namespace and name, while \
         types/git-definition.json says both are case sensitive",
    ),
];

#[test]
fn every_purl_spec_case_passes() {
    let cases = cases();
    assert!(cases.len() > 500, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (file, t) in &cases {
        let want_failure = t["expected_failure"].as_bool().unwrap_or(false);
        let got = answer(t);
        let ok = match (&got, want_failure) {
            (Err(_), true) => true,
            (Ok(v), false) => *v == t["expected_output"],
            _ => false,
        };
        let known = KNOWN
            .iter()
            .find(|(f, ty, input, _)| f == file && t["test_type"] == *ty && t["input"] == *input);
        if let Some((_, _, input, reason)) = known {
            assert!(!ok, "{input} passes now; drop it from KNOWN ({reason})");
            continue;
        }
        if !ok {
            failures.push(format!(
                "{file} [{} {}] {}\n    input:    {}\n    expected: {}\n    vexlake:  {}",
                t["test_group"].as_str().unwrap_or_default(),
                t["test_type"].as_str().unwrap_or_default(),
                t["description"].as_str().unwrap_or_default(),
                t["input"],
                if want_failure {
                    "a failure".to_string()
                } else {
                    t["expected_output"].to_string()
                },
                match &got {
                    Ok(v) => v.to_string(),
                    Err(e) => format!("refused: {e}"),
                }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} purl-spec cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
