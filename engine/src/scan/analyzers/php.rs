//! PHP packages: Composer's record of what it installed (`vendor/composer/installed.json`,
//! Composer 1's array and Composer 2's `{"packages": [...]}`) and `composer.lock` (its
//! `packages`; `packages-dev` are development tools, left out).

use serde_json::Value;

use super::Package;

fn package(v: &Value) -> Option<Package> {
    let full = v.get("name")?.as_str()?;
    let version = v.get("version")?.as_str()?;
    let (vendor, name) = full.split_once('/')?;
    let licenses = match v.get("license") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let depends = v
        .get("require")
        .and_then(Value::as_object)
        .map(|o| o.keys().filter(|k| k.contains('/')).cloned().collect())
        .unwrap_or_default();
    Some(Package {
        namespace: Some(vendor.to_string()),
        name: name.to_string(),
        version: version.to_string(),
        licenses,
        depends,
        ..Package::default()
    })
}

fn list(v: &Value, key: &str) -> Vec<Package> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(package).collect())
        .unwrap_or_default()
}

/// `vendor/composer/installed.json`.
pub fn parse_installed(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    match &v {
        Value::Array(a) => Ok(a.iter().filter_map(package).collect()),
        Value::Object(o) if o.contains_key("packages") => Ok(list(&v, "packages")),
        _ => {
            Err("neither an array nor {\"packages\": [...]}: not Composer's installed.json".into())
        }
    }
}

/// `composer.lock`.
pub fn parse_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("packages").is_none() {
        return Err("no packages: not a composer.lock".into());
    }
    Ok(list(&v, "packages"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_and_lock() {
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"],"require":{"php":">=8.1","psr/log":"^2"}}],"dev":true}"#;
        let p = &parse_installed(v2).unwrap()[0];
        assert_eq!(
            (p.namespace.as_deref(), p.name.as_str(), p.version.as_str()),
            (Some("monolog"), "monolog", "3.5.0")
        );
        assert_eq!(p.depends, ["psr/log"]);
        let v1 = br#"[{"name":"psr/log","version":"1.1.4"}]"#;
        assert_eq!(parse_installed(v1).unwrap()[0].name, "log");
        let lock = br#"{"packages":[{"name":"a/b","version":"v1.0.0"}],"packages-dev":[{"name":"phpunit/phpunit","version":"10.0.0"}]}"#;
        assert_eq!(parse_lock(lock).unwrap().len(), 1);
        assert!(parse_lock(b"{}").is_err());
    }
}
