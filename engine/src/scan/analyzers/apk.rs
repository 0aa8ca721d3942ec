//! apk's database, `/lib/apk/db/installed`: one paragraph a package of `K:value` lines
//! (P name, V version, A arch, o origin, L license, D depends, p provides; see Alpine's
//! "Apk spec", installed database v2).

use super::{Package, paragraphs};

/// A dependency or provide without its version constraint (`so:libc.musl-x86_64.so.1=1`).
fn capability(item: &str) -> Option<String> {
    let name = item.split(['=', '<', '>', '~']).next()?.trim();
    (!name.is_empty() && !name.starts_with('!')).then(|| name.to_string())
}

pub fn parse_installed(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut out = Vec::new();
    for paragraph in paragraphs(text) {
        let mut p = Package::default();
        let mut dir = String::new();
        for line in paragraph.lines() {
            let Some((key, value)) = line.split_once(':') else {
                return Err(format!("line {line:?}: expected K:value"));
            };
            let value = value.trim();
            match key {
                "P" => p.name = value.to_string(),
                "V" => p.version = value.to_string(),
                "A" => p.arch = Some(value.to_string()),
                "o" => p.source = Some(value.to_string()),
                "L" if !value.is_empty() => p.licenses = vec![value.to_string()],
                "D" => p.depends = value.split_whitespace().filter_map(capability).collect(),
                "p" => p.provides = value.split_whitespace().filter_map(capability).collect(),
                // `F:` a directory, then `R:` each file in it.
                "F" => dir = value.to_string(),
                "R" => p
                    .files
                    .push(crate::scan::layers::normalize(&format!("{dir}/{value}"))),
                _ => {}
            }
        }
        if p.name.is_empty() || p.version.is_empty() {
            return Err(format!(
                "a package without P: (name) or V: (version): {:?}",
                paragraph.lines().next().unwrap_or_default()
            ));
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_database() {
        let db = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nL:MIT\no:musl\n\
                  p:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\n\n\
                  P:libcrypto3\nV:3.1.4-r1\nA:x86_64\nL:Apache-2.0\no:openssl\n\
                  D:so:libc.musl-x86_64.so.1 !foo musl>=1.2\n";
        let p = parse_installed(db.as_bytes()).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("musl", "1.2.4-r2")
        );
        assert_eq!(p[0].provides, ["so:libc.musl-x86_64.so.1"]);
        assert_eq!(p[0].files, ["lib/ld-musl-x86_64.so.1"]);
        assert_eq!(p[1].source.as_deref(), Some("openssl"));
        assert_eq!(p[1].licenses, ["Apache-2.0"]);
        assert_eq!(p[1].depends, ["so:libc.musl-x86_64.so.1", "musl"]);
        assert!(parse_installed(b"V:1\n").is_err());
        assert!(parse_installed(b"garbage line\n").is_err());
    }
}
