//! Go modules: `go.mod` (the `require` directives, with `replace` applied) and the build
//! information the Go linker writes into every binary since Go 1.13 (the `\xff Go buildinf:`
//! blob: the Go version, the main module and every module linked in, with replacements).

use super::Package;

/// The build information blob's magic, 16-byte aligned in the binary's data.
pub const MAGIC: &[u8] = b"\xff Go buildinf:";

/// Splits a module path into its purl namespace and name: `golang.org/x/sys` →
/// (`golang.org/x`, `sys`).
fn module(path: &str, version: &str) -> Package {
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, path.to_string()),
    };
    Package {
        namespace,
        name,
        version: version.to_string(),
        ..Package::default()
    }
}

/// One directive's words, a `//` comment cut off, quotes removed.
fn words(line: &str) -> Vec<&str> {
    let line = line.split("//").next().unwrap_or_default();
    line.split_whitespace()
        .map(|w| w.trim_matches('"').trim_matches('`'))
        .collect()
}

/// `go.mod`: each required module, as a `replace` directive leaves it.
pub fn parse_go_mod(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut requires: Vec<(String, String)> = Vec::new();
    let mut replaces: Vec<(String, Option<String>, String, Option<String>)> = Vec::new();
    let mut block: Option<&str> = None;
    let mut saw_module = false;
    for raw in text.lines() {
        let w = words(raw);
        let Some(first) = w.first().copied() else {
            continue;
        };
        let (verb, args): (&str, &[&str]) = match block {
            Some(_) if first == ")" => {
                block = None;
                continue;
            }
            Some(b) => (b, &w[..]),
            None if w.get(1) == Some(&"(") => {
                block = Some(first);
                continue;
            }
            None => (first, &w[1..]),
        };
        match verb {
            "module" => saw_module = true,
            "require" => {
                if let [path, version, ..] = args {
                    requires.push((path.to_string(), version.to_string()));
                }
            }
            "replace" => {
                let Some(arrow) = args.iter().position(|a| *a == "=>") else {
                    return Err(format!("a replace directive without =>: {raw:?}"));
                };
                let (old, new) = args.split_at(arrow);
                let new = &new[1..];
                if let (Some(old_path), Some(new_path)) = (old.first(), new.first()) {
                    replaces.push((
                        old_path.to_string(),
                        old.get(1).map(|s| s.to_string()),
                        new_path.to_string(),
                        new.get(1).map(|s| s.to_string()),
                    ));
                }
            }
            _ => {}
        }
    }
    if !saw_module {
        return Err("no module directive: not a go.mod file".into());
    }
    let mut out = Vec::new();
    for (path, version) in requires {
        let replaced = replaces.iter().find(|(old, old_version, _, _)| {
            *old == path && old_version.as_ref().is_none_or(|v| *v == version)
        });
        match replaced {
            // A replacement by a local directory has no version: the module is the
            // application's own code.
            Some((_, _, _, None)) => {}
            Some((_, _, new_path, Some(new_version))) => out.push(module(new_path, new_version)),
            None => out.push(module(&path, &version)),
        }
    }
    Ok(out)
}

/// Reads an unsigned LEB128 varint; `None` past the end.
fn uvarint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// What a binary's build information says.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// `go1.22.1` (and any experiment suffix).
    pub go_version: String,
    /// The main module, then its dependencies, replacements applied.
    pub modules: Vec<Package>,
}

/// How to read a Go string header `(pointer, length)` at a virtual address in the binary's
/// memory, for the pre-1.18 blob that stores pointers rather than the strings.
pub type ReadString<'a> = dyn Fn(u64) -> Option<Vec<u8>> + 'a;

/// Parses a build information blob starting at its magic. `string_at` resolves a pointer blob
/// (Go before 1.18); Go 1.18 and later store the strings inline.
pub fn parse_buildinfo(blob: &[u8], string_at: &ReadString<'_>) -> Result<BuildInfo, String> {
    if blob.len() < 32 || !blob.starts_with(MAGIC) {
        return Err("Go build information: truncated header".into());
    }
    let pointer_size = blob[14] as usize;
    let flags = blob[15];
    let (version, modinfo) = if flags & 2 != 0 {
        let mut at = 32;
        let mut string = || -> Option<Vec<u8>> {
            let n = usize::try_from(uvarint(blob, &mut at)?).ok()?;
            let s = blob.get(at..at.checked_add(n)?)?.to_vec();
            at += n;
            Some(s)
        };
        let version = string().ok_or("Go build information: truncated version")?;
        let modinfo = string().ok_or("Go build information: truncated module list")?;
        (version, modinfo)
    } else {
        if pointer_size != 4 && pointer_size != 8 {
            return Err(format!("Go build information: pointer size {pointer_size}"));
        }
        let big_endian = flags & 1 != 0;
        let pointer = |at: usize| -> Option<u64> {
            let b = blob.get(at..at + pointer_size)?;
            let mut v = 0u64;
            for i in 0..pointer_size {
                let byte = if big_endian {
                    b[i]
                } else {
                    b[pointer_size - 1 - i]
                };
                v = (v << 8) | u64::from(byte);
            }
            Some(v)
        };
        let version = pointer(16)
            .and_then(string_at)
            .ok_or("Go build information: the version's address is not in the binary")?;
        let modinfo = pointer(16 + pointer_size)
            .and_then(string_at)
            .unwrap_or_default();
        (version, modinfo)
    };
    let go_version = String::from_utf8_lossy(&version).into_owned();
    let mut modinfo = String::from_utf8_lossy(&modinfo).into_owned();
    // The module list sits between two 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo.as_bytes()[modinfo.len() - 17] == b'\n' {
        modinfo = modinfo
            .get(16..modinfo.len() - 16)
            .unwrap_or_default()
            .to_string();
    }
    let mut modules: Vec<Package> = Vec::new();
    let mut settings: Vec<(&str, &str)> = Vec::new();
    for line in modinfo.lines() {
        let mut f = line.split('\t');
        match (f.next(), f.next(), f.next()) {
            (Some("build"), Some(setting), _) => {
                if let Some(kv) = setting.split_once('=') {
                    settings.push(kv);
                }
            }
            (Some("mod"), Some(path), version) => {
                // A main module built from a checkout is `(devel)`: it has no version.
                let version = version.filter(|v| *v != "(devel)").unwrap_or_default();
                modules.insert(0, module(path, version));
            }
            (Some("dep"), Some(path), Some(version)) => modules.push(module(path, version)),
            (Some("=>"), Some(path), version) => {
                if let Some(last) = modules.last_mut() {
                    *last = module(path, version.unwrap_or_default());
                }
            }
            _ => {}
        }
    }
    // A main module built from a checkout: its version as Go 1.24 and later stamp it, the
    // pseudo-version of the commit the build records.
    let setting = |k: &str| settings.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    if let (Some(main), Some(revision), Some(time)) = (
        modules.first_mut(),
        setting("vcs.revision"),
        setting("vcs.time"),
    ) && main.version.is_empty()
        && revision.len() >= 12
    {
        let stamp: String = time.chars().filter(char::is_ascii_digit).take(14).collect();
        if stamp.len() == 14 {
            let dirty = if setting("vcs.modified") == Some("true") {
                "+dirty"
            } else {
                ""
            };
            main.version = format!("v0.0.0-{stamp}-{}{dirty}", &revision[..12]);
        }
    }
    Ok(BuildInfo {
        go_version,
        modules,
    })
}

/// The standard library as a package: `pkg:golang/stdlib@1.22.1`, as Go's vulnerability
/// database names it (`go1.22.1 X:boringcrypto` → `1.22.1`).
pub fn stdlib(go_version: &str) -> Option<Package> {
    let v = go_version.split_whitespace().next()?.strip_prefix("go")?;
    (!v.is_empty() && v.starts_with(|c: char| c.is_ascii_digit())).then(|| Package {
        name: "stdlib".into(),
        version: v.to_string(),
        ..Package::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod() {
        let m = b"module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/spf13/cobra v1.8.0\n\tgolang.org/x/sys v0.17.0 // indirect\n\texample.com/local v0.0.0\n)\n\nrequire gopkg.in/yaml.v3 v3.0.1\n\nreplace golang.org/x/sys => golang.org/x/sys v0.18.0\nreplace example.com/local => ../local\n";
        let got: Vec<String> = parse_go_mod(m)
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{}/{}@{}",
                    p.namespace.as_deref().unwrap_or(""),
                    p.name,
                    p.version
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "github.com/spf13/cobra@v1.8.0",
                "golang.org/x/sys@v0.18.0",
                "gopkg.in/yaml.v3@v3.0.1"
            ]
        );
        assert!(parse_go_mod(b"require x v1\n").is_err());
    }

    #[test]
    fn inline_buildinfo() {
        let modinfo = "0123456789abcdefpath\tgithub.com/evanw/esbuild/cmd/esbuild\nmod\tgithub.com/evanw/esbuild\t(devel)\t\ndep\tgolang.org/x/sys\tv0.0.0-2022\th1:x=\ndep\tgithub.com/a/b\tv1.0.0\th1:y=\n=>\tgithub.com/c/b\tv1.1.0\th1:z=\nbuild\t-ldflags=-s\n\n0123456789abcdef";
        let blob = |modinfo: &str| {
            let mut blob = MAGIC.to_vec();
            blob.extend([8, 2]);
            blob.resize(32, 0);
            for s in ["go1.20.12", modinfo] {
                blob.push(s.len() as u8 & 0x7f | 0x80);
                blob.push((s.len() >> 7) as u8);
                blob.extend(s.as_bytes());
            }
            blob
        };
        let info = parse_buildinfo(&blob(modinfo), &|_| None).unwrap();
        assert_eq!(info.go_version, "go1.20.12");
        let got: Vec<String> = info
            .modules
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(got, ["esbuild@", "sys@v0.0.0-2022", "b@v1.1.0"]);
        // A main module built from a checkout gets the pseudo-version of its commit.
        let vcs = modinfo.replace(
            "build\t-ldflags=-s\n",
            "build\tvcs.revision=d7fd1ad35715cda76eb\nbuild\tvcs.time=2024-01-23T17:38:57Z\n",
        );
        let info = parse_buildinfo(&blob(&vcs), &|_| None).unwrap();
        assert_eq!(
            info.modules[0].version,
            "v0.0.0-20240123173857-d7fd1ad35715"
        );
        assert_eq!(info.modules[2].namespace.as_deref(), Some("github.com/c"));
        assert_eq!(stdlib("go1.22.1 X:boringcrypto").unwrap().version, "1.22.1");
        // Every cut of the blob is an error or a shorter list, never a panic.
        let whole = blob(modinfo);
        for cut in 0..whole.len() {
            let _ = parse_buildinfo(&whole[..cut], &|_| None);
        }
    }
}
