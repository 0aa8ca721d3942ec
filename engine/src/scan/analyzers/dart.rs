//! Dart and Flutter packages: `pubspec.lock` (its `packages`; those from the SDK, such as
//! `flutter` itself, and development dependencies are left out).

use serde_json::Value;

use super::Package;

pub fn parse_pubspec_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_norway::from_slice(bytes).map_err(|e| format!("not YAML: {e}"))?;
    let Some(packages) = v.get("packages").and_then(Value::as_object) else {
        return Err("no packages: not a pubspec.lock".into());
    };
    Ok(packages
        .iter()
        .filter(|(_, p)| p.get("source").and_then(Value::as_str) != Some("sdk"))
        .filter(|(_, p)| p.get("dependency").and_then(Value::as_str) != Some("direct dev"))
        .filter_map(|(name, p)| {
            Some(Package {
                name: name.clone(),
                version: p.get("version")?.as_str()?.to_string(),
                ..Package::default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pubspec_lock() {
        let lock = b"packages:\n  http:\n    dependency: \"direct main\"\n    description:\n      name: http\n      url: \"https://pub.dev\"\n    source: hosted\n    version: \"1.1.0\"\n  flutter:\n    dependency: \"direct main\"\n    description: flutter\n    source: sdk\n    version: \"0.0.0\"\n  lints:\n    dependency: \"direct dev\"\n    source: hosted\n    version: \"3.0.0\"\nsdks:\n  dart: \">=3.0.0 <4.0.0\"\n";
        let p = parse_pubspec_lock(lock).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("http", "1.1.0")
        );
    }
}
