//! .NET packages: an application's `*.deps.json` (its `libraries` of type `package`; projects
//! are the application's own) and NuGet's `packages.lock.json` (every target framework's
//! resolved packages; project references left out).

use serde_json::Value;

use super::Package;

fn package(name: &str, version: &str) -> Package {
    Package {
        name: name.to_string(),
        version: version.to_string(),
        ..Package::default()
    }
}

/// `*.deps.json`: the application's own assembly (`type: project`) and the packages that put
/// an assembly or a native library beside it (`runtime` or `native` assets in a target). A
/// package without such assets (an analyzer, a build tool, a reference-only facade) leaves
/// nothing in the image and is not listed.
pub fn parse_deps_json(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let Some(libraries) = v.get("libraries").and_then(Value::as_object) else {
        return Err("no libraries: not a .deps.json".into());
    };
    let targets: Vec<&serde_json::Map<String, Value>> = v
        .get("targets")
        .and_then(Value::as_object)
        .map(|t| t.values().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let has_assets = |key: &str| {
        targets.iter().any(|t| {
            t.get(key).is_some_and(|entry| {
                ["runtime", "native"].iter().any(|asset| {
                    entry
                        .get(*asset)
                        .and_then(Value::as_object)
                        .is_some_and(|o| !o.is_empty())
                })
            })
        })
    };
    Ok(libraries
        .iter()
        .filter(|(key, l)| match l.get("type").and_then(Value::as_str) {
            Some("project") => true,
            Some("package") => has_assets(key),
            _ => false,
        })
        .filter_map(|(key, _)| key.split_once('/').map(|(n, v)| package(n, v)))
        .collect())
}

/// `packages.lock.json`.
pub fn parse_packages_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let Some(frameworks) = v.get("dependencies").and_then(Value::as_object) else {
        return Err("no dependencies: not a NuGet packages.lock.json".into());
    };
    let mut out: Vec<Package> = Vec::new();
    for deps in frameworks.values().filter_map(Value::as_object) {
        for (name, d) in deps {
            let kind = d.get("type").and_then(Value::as_str).unwrap_or_default();
            if kind.eq_ignore_ascii_case("project") {
                continue;
            }
            if let Some(version) = d.get("resolved").and_then(Value::as_str) {
                let mut p = package(name, version);
                p.depends = d
                    .get("dependencies")
                    .and_then(Value::as_object)
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                if !out
                    .iter()
                    .any(|q| q.name == p.name && q.version == p.version)
                {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deps_and_lock() {
        let deps = br#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},
            "targets":{".NETCoreApp,Version=v8.0":{"App/1.0.0":{"runtime":{"App.dll":{}}},
              "Newtonsoft.Json/13.0.1":{"runtime":{"lib/net6.0/Newtonsoft.Json.dll":{}}},
              "Analyzer/1.0.0":{}}},
            "libraries":{"App/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.1":{"type":"package"},
              "Analyzer/1.0.0":{"type":"package"}}}"#;
        let p = parse_deps_json(deps).unwrap();
        let names: Vec<_> = p.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["App", "Newtonsoft.Json"]);
        let lock = br#"{"version":1,"dependencies":{"net6.0":{"Serilog":{"type":"Direct","requested":"[2.12.0, )","resolved":"2.12.0"},"Lib":{"type":"Project"}},"net8.0":{"Serilog":{"type":"Direct","resolved":"2.12.0"}}}}"#;
        assert_eq!(parse_packages_lock(lock).unwrap().len(), 1);
        assert!(parse_deps_json(b"[]").is_err());
    }
}
