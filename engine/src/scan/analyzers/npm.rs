//! npm packages: installed ones (`node_modules/**/package.json`) and the lock files of npm
//! (`package-lock.json`, `npm-shrinkwrap.json`, lockfile versions 1 to 3), Yarn (`yarn.lock`,
//! classic and Berry) and pnpm (`pnpm-lock.yaml`, lockfile versions 5 to 9).
//!
//! Lock files list what an install would put on disk; development dependencies (`dev: true`)
//! are left out, since a production image does not carry them.

use serde_json::Value;

use super::Package;

/// Splits `@scope/name` into its purl namespace (`@scope`) and name.
fn scoped(full: &str) -> (Option<String>, String) {
    match full.strip_prefix('@').and_then(|s| s.split_once('/')) {
        Some((scope, name)) => (Some(format!("@{scope}")), name.to_string()),
        None => (None, full.to_string()),
    }
}

fn package(full: &str, version: &str) -> Package {
    let (namespace, name) = scoped(full);
    Package {
        namespace,
        name,
        version: version.to_string(),
        ..Package::default()
    }
}

/// `license: "MIT"`, `license: {"type": "MIT"}` or `licenses: [{"type": "MIT"}]`.
fn licenses(v: &Value) -> Vec<String> {
    let one = |l: &Value| match l {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    match (v.get("license"), v.get("licenses")) {
        (Some(l), _) => one(l).into_iter().collect(),
        (None, Some(Value::Array(ls))) => ls.iter().filter_map(one).collect(),
        _ => Vec::new(),
    }
}

fn dependency_names(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// An installed package's `package.json`. A `package.json` without a name and a version (a
/// directory's `{"type": "module"}` marker) names no package.
pub fn parse_package_json(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let (Some(name), Some(version)) = (
        v.get("name").and_then(Value::as_str),
        v.get("version").and_then(Value::as_str),
    ) else {
        return Ok(Vec::new());
    };
    if name.is_empty() || version.is_empty() {
        return Ok(Vec::new());
    }
    let mut p = package(name, version);
    p.licenses = licenses(&v);
    p.depends = dependency_names(&v, "dependencies");
    Ok(vec![p])
}

/// `package-lock.json` or `npm-shrinkwrap.json`.
pub fn parse_package_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let mut out = Vec::new();
    if let Some(packages) = v.get("packages").and_then(Value::as_object) {
        // Lockfile versions 2 and 3: one entry an install path.
        for (path, entry) in packages {
            let Some(at) = path.rfind("node_modules/") else {
                // The root project and workspace members: the application itself.
                continue;
            };
            if entry.get("link").and_then(Value::as_bool) == Some(true)
                || entry.get("dev").and_then(Value::as_bool) == Some(true)
            {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&path[at + "node_modules/".len()..]);
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let mut p = package(name, version);
            p.licenses = licenses(entry);
            p.depends = dependency_names(entry, "dependencies");
            out.push(p);
        }
        return Ok(out);
    }
    // Lockfile version 1: a tree of `dependencies`.
    fn walk(deps: &serde_json::Map<String, Value>, out: &mut Vec<Package>) {
        for (name, entry) in deps {
            if entry.get("dev").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if let Some(version) = entry.get("version").and_then(Value::as_str) {
                // A version that is a URL or path (`file:../x`) is not a registry version.
                let version = version.strip_prefix("npm:").map_or(version, |aliased| {
                    aliased.rsplit_once('@').map_or(aliased, |(_, v)| v)
                });
                if !version.contains(':') {
                    let mut p = package(name, version);
                    p.depends = dependency_names(entry, "requires");
                    out.push(p);
                }
            }
            if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
                walk(nested, out);
            }
        }
    }
    match v.get("dependencies").and_then(Value::as_object) {
        Some(deps) => walk(deps, &mut out),
        None if v.get("lockfileVersion").is_some() => {}
        None => return Err("neither `packages` nor `dependencies`: not an npm lock file".into()),
    }
    Ok(out)
}

/// The package name of a Yarn specifier: `@babel/core@^7.0.0` → `@babel/core`,
/// `lodash@npm:^4.17.21` → `lodash`.
fn yarn_name(spec: &str) -> Option<&str> {
    let spec = spec.trim().trim_matches('"');
    let at = spec[1..].find('@')? + 1;
    Some(&spec[..at])
}

/// `yarn.lock`: Yarn classic (`version "1.2.3"`) and Berry (YAML, `version: 1.2.3`). Blocks
/// start with an unindented line of specifiers; workspace and link entries are the
/// application's own.
pub fn parse_yarn_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut out = Vec::new();
    let mut current: Option<&str> = None;
    let mut local = false;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let header = line.trim_end().trim_end_matches(':');
            local = header.contains("@workspace:")
                || header.contains("@link:")
                || header.contains("@file:")
                || header.contains("@portal:");
            current = if header.starts_with("__metadata") {
                None
            } else {
                let first = header.split(", ").next().unwrap_or(header);
                Some(yarn_name(first).ok_or_else(|| format!("cannot read the entry {header:?}"))?)
            };
            continue;
        }
        let field = line.trim();
        let version = field
            .strip_prefix("version ")
            .or_else(|| field.strip_prefix("version: "));
        if let (Some(name), Some(version), false) = (current, version, local)
            && line.starts_with("  ")
            && !line.starts_with("   ")
        {
            out.push(package(name, version.trim().trim_matches('"')));
            current = None;
        }
    }
    Ok(out)
}

/// A pnpm `packages` key: `/name/1.2.3_peer` (v5), `/name@1.2.3(peer@1)` (v6),
/// `name@1.2.3(peer@1)` (v9), scoped names alike.
fn pnpm_key(key: &str) -> Option<(String, String)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = key.split('(').next()?;
    let name_slashes = usize::from(key.starts_with('@'));
    // v6 and later: `name@version`, the name holding only its scope's slash.
    if let Some(at) = key.get(1..)?.rfind('@').map(|i| i + 1) {
        let (name, version) = (&key[..at], &key[at + 1..]);
        if name.matches('/').count() == name_slashes && !version.is_empty() {
            return Some((name.to_string(), version.to_string()));
        }
    }
    // v5: `name/version`, peers after `_`.
    let parts: Vec<&str> = key.splitn(name_slashes + 2, '/').collect();
    let (version, name) = parts.split_last()?;
    let version = version.split('_').next()?;
    (parts.len() == name_slashes + 2 && !version.is_empty())
        .then(|| (name.join("/"), version.to_string()))
}

/// `pnpm-lock.yaml`.
pub fn parse_pnpm_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: serde_json::Value =
        serde_norway::from_slice(bytes).map_err(|e| format!("not YAML: {e}"))?;
    if v.get("lockfileVersion").is_none() {
        return Err("no lockfileVersion: not a pnpm lock file".into());
    }
    let mut out = Vec::new();
    let Some(packages) = v.get("packages").and_then(Value::as_object) else {
        return Ok(out);
    };
    for (key, entry) in packages {
        if entry.get("dev").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let (name, version) = match (
            entry.get("name").and_then(Value::as_str),
            entry.get("version").and_then(Value::as_str),
        ) {
            (Some(n), Some(v)) => (n.to_string(), v.to_string()),
            _ => pnpm_key(key).ok_or_else(|| format!("cannot read the package key {key:?}"))?,
        };
        // A tarball or git dependency's "version" is its URL.
        if version.contains(':') || version.contains('/') {
            continue;
        }
        let mut p = package(&name, &version);
        p.depends = dependency_names(entry, "dependencies");
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ps: &[Package]) -> Vec<String> {
        let mut v: Vec<String> = ps
            .iter()
            .map(|p| match &p.namespace {
                Some(n) => format!("{n}/{}@{}", p.name, p.version),
                None => format!("{}@{}", p.name, p.version),
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn package_json_and_locks() {
        let p = parse_package_json(br#"{"name":"@types/node","version":"20.1.0","license":"MIT"}"#)
            .unwrap();
        assert_eq!(ids(&p), ["@types/node@20.1.0"]);
        assert_eq!(p[0].licenses, ["MIT"]);
        assert!(
            parse_package_json(br#"{"type":"module"}"#)
                .unwrap()
                .is_empty()
        );
        assert!(parse_package_json(b"{nope").is_err());

        let v3 = br#"{"lockfileVersion":3,"packages":{"":{"name":"app"},
            "node_modules/a":{"version":"1.0.0","dependencies":{"b":"^2"}},
            "node_modules/a/node_modules/@s/b":{"version":"2.0.0"},
            "node_modules/dev":{"version":"9.0.0","dev":true},
            "node_modules/ws":{"resolved":"packages/ws","link":true},
            "packages/ws":{"version":"0.1.0"}}}"#;
        assert_eq!(
            ids(&parse_package_lock(v3).unwrap()),
            ["@s/b@2.0.0", "a@1.0.0"]
        );
        let v1 = br#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0",
            "dependencies":{"b":{"version":"2.0.0"}}},"d":{"version":"1.0.0","dev":true},
            "l":{"version":"file:../l"}}}"#;
        assert_eq!(
            ids(&parse_package_lock(v1).unwrap()),
            ["a@1.0.0", "b@2.0.0"]
        );
    }

    #[test]
    fn yarn_and_pnpm() {
        let classic = b"# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\n  version \"7.12.13\"\n  dependencies:\n    \"@babel/highlight\" \"^7.10.4\"\n\nlodash@^4.17.21:\n  version \"4.17.21\"\n";
        assert_eq!(
            ids(&parse_yarn_lock(classic).unwrap()),
            ["@babel/code-frame@7.12.13", "lodash@4.17.21"]
        );
        let berry = b"__metadata:\n  version: 6\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"lodash@npm:^4.17.21\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n";
        assert_eq!(ids(&parse_yarn_lock(berry).unwrap()), ["lodash@4.17.21"]);

        assert_eq!(
            pnpm_key("/lodash/4.17.21"),
            Some(("lodash".into(), "4.17.21".into()))
        );
        assert_eq!(
            pnpm_key("/@babel/core/7.1.0_supports-color@5"),
            Some(("@babel/core".into(), "7.1.0".into()))
        );
        assert_eq!(
            pnpm_key("/@babel/core@7.1.0(supports-color@5.5.0)"),
            Some(("@babel/core".into(), "7.1.0".into()))
        );
        assert_eq!(pnpm_key("ms@2.1.3"), Some(("ms".into(), "2.1.3".into())));
        let v9 = b"lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: sha512-x}\n  '@types/node@20.1.0':\n    resolution: {integrity: sha512-y}\n";
        assert_eq!(
            ids(&parse_pnpm_lock(v9).unwrap()),
            ["@types/node@20.1.0", "ms@2.1.3"]
        );
    }
}
