//! Swift packages: SwiftPM's `Package.resolved` (version 1: `object.pins` with
//! `repositoryURL`; versions 2 and 3: `pins` with `location`). A pin's purl is its repository
//! path: `pkg:swift/github.com/apple/swift-nio@2.58.0`.

use serde_json::Value;

use super::Package;

/// `https://github.com/apple/swift-nio.git` → (`github.com/apple`, `swift-nio`).
fn location(url: &str) -> Option<(String, String)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    // `git@github.com:apple/swift-nio.git`
    let rest = rest
        .rsplit_once('@')
        .map_or(rest, |(_, r)| r)
        .replacen(':', "/", 1);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (namespace, name) = rest.rsplit_once('/')?;
    Some((namespace.to_string(), name.to_string()))
}

pub fn parse_resolved(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let pins = v
        .get("pins")
        .or_else(|| v.get("object").and_then(|o| o.get("pins")))
        .and_then(Value::as_array)
        .ok_or("no pins: not a Package.resolved")?;
    Ok(pins
        .iter()
        .filter_map(|pin| {
            let url = pin.get("location").or(pin.get("repositoryURL"))?.as_str()?;
            let state = pin.get("state")?;
            // A pin to a branch or a revision has no version.
            let version = state.get("version").and_then(Value::as_str)?;
            let (namespace, name) = location(url)?;
            Some(Package {
                namespace: Some(namespace),
                name,
                version: version.to_string(),
                ..Package::default()
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved() {
        let v1 = br#"{"object":{"pins":[{"package":"swift-nio","repositoryURL":"https://github.com/apple/swift-nio.git","state":{"branch":null,"revision":"abc","version":"2.58.0"}}]},"version":1}"#;
        let v2 = br#"{"pins":[{"identity":"swift-nio","kind":"remoteSourceControl","location":"git@github.com:apple/swift-nio.git","state":{"revision":"abc","version":"2.58.0"}},{"identity":"x","location":"https://github.com/o/x","state":{"branch":"main","revision":"def"}}],"version":2}"#;
        for doc in [&v1[..], &v2[..]] {
            let p = parse_resolved(doc).unwrap();
            assert_eq!(p.len(), 1);
            assert_eq!(p[0].namespace.as_deref(), Some("github.com/apple"));
            assert_eq!(
                (p[0].name.as_str(), p[0].version.as_str()),
                ("swift-nio", "2.58.0")
            );
        }
    }
}
