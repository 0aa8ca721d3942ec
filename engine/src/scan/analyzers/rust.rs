//! Rust crates: `Cargo.lock` (every `[[package]]`), and the dependency list `cargo auditable`
//! embeds in a binary's `.dep-v0` section (zlib-compressed JSON: `packages`, each with name,
//! version, source, kind and dependency indexes).

use std::io::Read;

use serde::Deserialize;

use super::Package;

/// The largest inflated `.dep-v0` section read.
const MAX_AUDIT: u64 = 16 << 20;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockPackage>,
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    version: String,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// `Cargo.lock`, lock file versions 1 to 4.
pub fn parse_cargo_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let lock: Lock = toml::from_str(text).map_err(|e| format!("not a Cargo.lock: {e}"))?;
    Ok(lock
        .package
        .into_iter()
        .map(|p| Package {
            name: p.name,
            version: p.version,
            // `name`, `name version` or `name version (source)`.
            depends: p
                .dependencies
                .iter()
                .filter_map(|d| d.split_whitespace().next().map(str::to_string))
                .collect(),
            ..Package::default()
        })
        .collect())
}

#[derive(Deserialize)]
struct Audit {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    dependencies: Vec<usize>,
}

/// A `.dep-v0` section's bytes. Build-time dependencies (`kind: build`: build scripts and
/// proc macros) are not in the binary and are left out.
pub fn parse_auditable(section: &[u8]) -> Result<Vec<Package>, String> {
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(section)
        .take(MAX_AUDIT + 1)
        .read_to_end(&mut json)
        .map_err(|e| format!("cargo-auditable section: not zlib: {e}"))?;
    if json.len() as u64 > MAX_AUDIT {
        return Err(format!(
            "cargo-auditable section: inflates past {MAX_AUDIT} bytes"
        ));
    }
    let audit: Audit = serde_json::from_slice(&json)
        .map_err(|e| format!("cargo-auditable section: not its JSON: {e}"))?;
    let names: Vec<&str> = audit.packages.iter().map(|p| p.name.as_str()).collect();
    Ok(audit
        .packages
        .iter()
        .filter(|p| p.kind.as_deref() != Some("build"))
        .map(|p| Package {
            name: p.name.clone(),
            version: p.version.clone(),
            depends: p
                .dependencies
                .iter()
                .filter_map(|&i| names.get(i).map(|n| n.to_string()))
                .collect(),
            ..Package::default()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn lock_and_audit() {
        let lock = b"version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde 1.0.200\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let p = parse_cargo_lock(lock).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].depends, ["serde"]);
        assert!(parse_cargo_lock(b"[[package]]\nname = 1\n").is_err());

        let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"itoa","version":"1.0.11","source":"crates.io"},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(json).unwrap();
        let p = parse_auditable(&z.finish().unwrap()).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| (p.name.as_str(), p.depends.clone()))
            .collect();
        assert_eq!(got, [("app", vec!["itoa".to_string()]), ("itoa", vec![])]);
        assert!(parse_auditable(b"not zlib").is_err());
    }
}
