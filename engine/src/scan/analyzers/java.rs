//! Java archives (jar, war, ear and the plugin archives built like them): the Maven
//! coordinates in `META-INF/maven/<group>/<artifact>/pom.properties` (several in a shaded jar),
//! `META-INF/MANIFEST.MF` for an archive without its own, and archives nested inside
//! (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, an ear's modules), read in memory.
//!
//! A zip bomb cannot take the scan down: nesting stops at [`MAX_DEPTH`], a nested archive
//! larger than [`MAX_NESTED`] once inflated is skipped, and all the inflating one archive
//! causes is bounded by [`MAX_INFLATED`]; what is skipped is reported.

use std::io::{Cursor, Read};

use super::Package;

/// Archives inside archives, at most this deep (a war's jar is depth 1).
pub const MAX_DEPTH: usize = 4;
/// The largest nested archive inflated into memory.
pub const MAX_NESTED: u64 = 256 << 20;
/// All bytes inflated for one archive and everything inside it.
pub const MAX_INFLATED: u64 = 1 << 30;
/// The largest `pom.properties` or `MANIFEST.MF` read.
const MAX_SMALL: u64 = 1 << 20;

/// Whether a file name is a Java archive's.
pub fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jar", ".war", ".ear", ".jpi", ".hpi", ".par", ".sar", ".kar",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// What reading an archive gave: the packages, and what was skipped and why.
#[derive(Debug, Default)]
pub struct Archive {
    pub packages: Vec<Package>,
    /// The top-level manifest's `Class-Path`: jars loaded with it, relative to its directory.
    pub class_path: Vec<String>,
    pub problems: Vec<String>,
}

/// `key=value` lines of a `.properties` file (comments and blank lines skipped).
fn properties(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| l.split_once(['=', ':']))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// The main section of a manifest: `Key: value` lines, continuation lines starting with one
/// space.
fn manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some((_, v)) = out.last_mut() {
                v.push_str(more);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// The artifact and version a file name like `commons-lang3-3.12.0.jar` carries: the version
/// starts at the first `-` followed by a digit.
fn name_and_version(file: &str) -> (String, Option<String>) {
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let bytes = stem.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_string(), Some(stem[i + 1..].to_string()));
        }
    }
    (stem.to_string(), None)
}

struct Walk {
    inflated: u64,
    out: Archive,
}

impl Walk {
    /// Reads at most `limit` bytes of an entry, counting them against the archive's budget;
    /// `None` when the entry is larger or the budget is spent.
    fn read(
        &mut self,
        entry: &mut zip::read::ZipFile<'_, Cursor<&[u8]>>,
        limit: u64,
    ) -> Result<Option<Vec<u8>>, String> {
        let limit = limit.min(MAX_INFLATED.saturating_sub(self.inflated));
        let mut bytes = Vec::with_capacity(entry.size().min(limit).min(1 << 20) as usize);
        entry
            .by_ref()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{}: {e}", entry.name()))?;
        self.inflated += bytes.len() as u64;
        Ok((bytes.len() as u64 <= limit).then_some(bytes))
    }

    fn archive(&mut self, name: &str, bytes: &[u8], member: Option<&str>, depth: usize) {
        let at = |inner: &str| match member {
            Some(m) => format!("{m}!/{inner}"),
            None => inner.to_string(),
        };
        let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(z) => z,
            Err(e) => {
                let what = member.unwrap_or("the archive");
                self.out
                    .problems
                    .push(format!("{what}: not a readable zip archive: {e}"));
                return;
            }
        };
        let mut found = Vec::new();
        let mut own_manifest = None;
        for i in 0..zip.len() {
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    self.out
                        .problems
                        .push(format!("{}: entry {i}: {e}", at("")));
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let entry_name = entry.name().to_string();
            let is_pom = entry_name.starts_with("META-INF/maven/")
                && entry_name.ends_with("/pom.properties");
            if is_pom || entry_name == "META-INF/MANIFEST.MF" {
                let bytes = match self.read(&mut entry, MAX_SMALL) {
                    Ok(Some(b)) => b,
                    Ok(None) => {
                        self.out
                            .problems
                            .push(format!("{}: too large, skipped", at(&entry_name)));
                        continue;
                    }
                    Err(e) => {
                        self.out.problems.push(format!("{}: {e}", at("")));
                        continue;
                    }
                };
                let text = String::from_utf8_lossy(&bytes);
                if is_pom {
                    let props = properties(&text);
                    let get = |k: &str| props.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
                    if let (Some(g), Some(a), Some(v)) =
                        (get("groupId"), get("artifactId"), get("version"))
                    {
                        found.push(Package {
                            namespace: Some(g.to_string()),
                            name: a.to_string(),
                            version: v.to_string(),
                            member: Some(at(&entry_name)),
                            ..Package::default()
                        });
                    }
                } else {
                    own_manifest = Some(manifest(&text));
                }
            } else if is_archive(&entry_name) {
                let inner = at(&entry_name);
                if depth + 1 > MAX_DEPTH {
                    self.out.problems.push(format!(
                        "{inner}: nested more than {MAX_DEPTH} archives deep, not read"
                    ));
                    continue;
                }
                match self.read(&mut entry, MAX_NESTED) {
                    Ok(Some(b)) => self.archive(&entry_name, &b, Some(&inner), depth + 1),
                    Ok(None) => self.out.problems.push(format!(
                        "{inner}: inflates past {MAX_NESTED} bytes (or the archive's {MAX_INFLATED}-byte budget), not read"
                    )),
                    Err(e) => self.out.problems.push(format!("{}: {e}", at(""))),
                }
            }
        }
        // The archive's own coordinates: its pom.properties when it has one whose artifact is
        // the file's name, else its manifest and file name.
        let (file_artifact, file_version) = name_and_version(name);
        if depth == 0
            && let Some(m) = &own_manifest
            && let Some((_, cp)) = m.iter().find(|(k, _)| k == "Class-Path")
        {
            self.out.class_path = cp.split_whitespace().map(str::to_string).collect();
        }
        let own = found.iter().any(|p| p.name == file_artifact) || found.len() == 1;
        if !own && let Some(m) = own_manifest {
            let get = |k: &str| m.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
            let version = get("Implementation-Version")
                .or(get("Bundle-Version"))
                .map(str::to_string)
                .or(file_version);
            let group = get("Implementation-Vendor-Id").or(get("Automatic-Module-Name")
                .and_then(|n| n.strip_suffix(&format!(".{}", file_artifact.replace('-', ".")))));
            if let (Some(group), Some(version)) = (group, version) {
                found.push(Package {
                    namespace: Some(group.to_string()),
                    name: file_artifact,
                    version,
                    member: member.map(str::to_string),
                    ..Package::default()
                });
            }
        }
        self.out.packages.extend(found);
    }
}

/// Reads a Java archive (`name` is its path, for the name-based fallback).
pub fn parse_archive(name: &str, bytes: &[u8]) -> Archive {
    let mut walk = Walk {
        inflated: 0,
        out: Archive::default(),
    };
    walk.archive(name, bytes, None, 0);
    walk.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        for (name, data) in entries {
            w.start_file(*name, o).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn shaded_nested_and_bombs() {
        let inner = zip(&[(
            "META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            b"#x\nversion=1.7.32\ngroupId=org.slf4j\nartifactId=slf4j-api\n",
        )]);
        let shaded = zip(&[
            (
                "META-INF/maven/com.example/app/pom.properties",
                b"groupId=com.example\nartifactId=app\nversion=1.0\n",
            ),
            (
                "META-INF/maven/com.google.guava/guava/pom.properties",
                b"groupId=com.google.guava\nartifactId=guava\nversion=31.1\n",
            ),
            ("WEB-INF/lib/slf4j-api-1.7.32.jar", &inner),
        ]);
        let a = parse_archive("app.war", &shaded);
        let mut got: Vec<String> = a
            .packages
            .iter()
            .map(|p| {
                format!(
                    "{}:{}:{} {}",
                    p.namespace.as_deref().unwrap(),
                    p.name,
                    p.version,
                    p.member.as_deref().unwrap()
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "com.example:app:1.0 META-INF/maven/com.example/app/pom.properties",
                "com.google.guava:guava:31.1 META-INF/maven/com.google.guava/guava/pom.properties",
                "org.slf4j:slf4j-api:1.7.32 WEB-INF/lib/slf4j-api-1.7.32.jar!/META-INF/maven/org.slf4j/slf4j-api/pom.properties",
            ]
        );
        assert!(a.problems.is_empty(), "{:?}", a.problems);

        // A manifest and a file name name an archive without pom.properties.
        let plain = zip(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nImplementation-Vendor-Id: commons-io\nImplementation-Version: 2.11.0\nClass-Path: lib/a.jar lib/b.\n jar\n")]);
        let a = parse_archive("usr/share/java/commons-io-2.11.0.jar", &plain);
        assert_eq!(a.class_path, ["lib/a.jar", "lib/b.jar"]);
        assert_eq!(a.packages[0].namespace.as_deref(), Some("commons-io"));
        assert_eq!(a.packages[0].name, "commons-io");

        // Nesting deeper than the limit, and an entry that inflates past it, are reported.
        let mut deep = inner.clone();
        for _ in 0..=MAX_DEPTH {
            deep = zip(&[("x.jar", &deep)]);
        }
        let a = parse_archive("deep.jar", &deep);
        assert!(a.packages.is_empty());
        assert!(a.problems[0].contains("deep"), "{:?}", a.problems);
        let zeros = vec![0u8; (MAX_NESTED + 1) as usize];
        let bomb = zip(&[("bomb.jar", &zeros)]);
        assert!(bomb.len() < 1 << 20);
        let a = parse_archive("bomb.war", &bomb);
        assert!(a.problems[0].contains("inflates past"), "{:?}", a.problems);
        assert!(!parse_archive("x.jar", b"PK\x03\x04 no").problems.is_empty());
        assert_eq!(
            name_and_version("a/b/jackson-core-2.14.1.jar"),
            ("jackson-core".into(), Some("2.14.1".into()))
        );
    }
}
