//! dpkg's database: `/var/lib/dpkg/status`, and the one-file-a-package `status.d/` of
//! distroless images. Both are paragraphs of `Field: value` lines (deb822), continuation lines
//! starting with a space.

use super::{Package, paragraphs};

/// The value of `field` in a paragraph, continuation lines joined with `\n`.
fn field(paragraph: &str, name: &str) -> Option<String> {
    let mut lines = paragraph.lines();
    while let Some(line) = lines.next() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if line.starts_with([' ', '\t']) || !key.eq_ignore_ascii_case(name) {
            continue;
        }
        let mut out = value.trim().to_string();
        for more in lines.by_ref() {
            if !more.starts_with([' ', '\t']) {
                break;
            }
            out.push('\n');
            out.push_str(more.trim());
        }
        return Some(out);
    }
    None
}

/// Whether a `Status:` value (`want flag state`) says the package's files are on disk. A
/// missing status (distroless `status.d/` files have none) counts as installed.
fn installed(status: Option<&str>) -> bool {
    let Some(status) = status else {
        return true;
    };
    matches!(
        status.split_whitespace().nth(2),
        Some(
            "installed" | "half-configured" | "unpacked" | "triggers-awaited" | "triggers-pending"
        )
    )
}

/// Package names in a `Depends:`-style list: alternatives flattened, versions and
/// architecture qualifiers (`:any`) dropped.
pub(crate) fn relation_names(list: &str) -> Vec<String> {
    list.split([',', '|'])
        .filter_map(|item| {
            let name = item.trim().split([' ', '(', '\n', '\t']).next()?;
            let name = name.split(':').next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// Parses a status file (or one `status.d/` file) into its installed packages.
pub fn parse_status(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut out = Vec::new();
    for paragraph in paragraphs(text) {
        let Some(name) = field(paragraph, "Package") else {
            return Err(format!(
                "a paragraph without a Package field: {:?}",
                paragraph.lines().next().unwrap_or_default()
            ));
        };
        if !installed(field(paragraph, "Status").as_deref()) {
            continue;
        }
        let Some(version) = field(paragraph, "Version") else {
            // Packages that were removed keep a paragraph without a version.
            continue;
        };
        let (source, source_version) = match field(paragraph, "Source") {
            Some(s) => match s.split_once(' ') {
                Some((n, v)) => (
                    Some(n.to_string()),
                    Some(
                        v.trim()
                            .trim_start_matches('(')
                            .trim_end_matches(')')
                            .to_string(),
                    ),
                ),
                None => (Some(s), None),
            },
            None => (None, None),
        };
        let mut depends = Vec::new();
        for f in ["Pre-Depends", "Depends"] {
            if let Some(list) = field(paragraph, f) {
                depends.extend(relation_names(&list));
            }
        }
        out.push(Package {
            name,
            version,
            epoch: None,
            arch: field(paragraph, "Architecture"),
            source,
            source_version,
            licenses: Vec::new(),
            depends,
            provides: field(paragraph, "Provides")
                .map(|p| relation_names(&p))
                .unwrap_or_default(),
            ..Package::default()
        });
    }
    Ok(out)
}

/// The files a package installed: `info/NAME.list` (one absolute path a line, directories
/// too) or a distroless `status.d/NAME.md5sums` (`<md5>  <path relative to the root>`).
pub fn file_list(bytes: &[u8], md5sums: bool) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|line| {
            let path = if md5sums {
                line.split_once("  ").map(|(_, p)| p)?
            } else {
                line
            };
            let path = crate::scan::layers::normalize(path);
            (!path.is_empty()).then_some(path)
        })
        .collect()
}

/// The licences a Debian copyright file names: the `License:` fields of a machine-readable
/// (DEP-5) file, their first lines, sorted and deduplicated. A free-form file names none.
pub fn copyright_licenses(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.eq_ignore_ascii_case("License") && !line.starts_with([' ', '\t']))
                .then(|| value.trim().to_string())
        })
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: libssl3
Status: install ok installed
Priority: optional
Installed-Size: 6181
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation.
 .
 It provides the libssl and libcrypto shared libraries.

Package: old-removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Pre-Depends: libc6:any (>= 2.35)
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35) | libc6-udeb
Provides: libgcc1 (= 1:12.2.0-14)
";

    #[test]
    fn status_file() {
        let p = parse_status(STATUS.as_bytes()).unwrap();
        assert_eq!(p.len(), 2, "the config-files paragraph is not installed");
        assert_eq!(p[0].name, "libssl3");
        assert_eq!(p[0].version, "3.0.11-1~deb12u2");
        assert_eq!(p[0].arch.as_deref(), Some("amd64"));
        assert_eq!(p[0].source.as_deref(), Some("openssl"));
        assert_eq!(p[0].source_version, None);
        assert_eq!(p[0].depends, ["libc6"]);
        assert_eq!(p[1].source.as_deref(), Some("gcc-12"));
        assert_eq!(p[1].source_version.as_deref(), Some("12.2.0-14"));
        assert_eq!(
            p[1].depends,
            ["libc6", "gcc-12-base", "libc6", "libc6-udeb"]
        );
        assert_eq!(p[1].provides, ["libgcc1"]);
    }

    #[test]
    fn copyright_files() {
        let dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    \nFiles: *\nCopyright: 2001 someone\nLicense: GPL-2+\n This program is free\n\
                    \nFiles: lib/*\nLicense: LGPL-2.1+ or MIT\n\nLicense: GPL-2+\n text\n";
        assert_eq!(
            copyright_licenses(dep5.as_bytes()),
            ["GPL-2+", "LGPL-2.1+ or MIT"]
        );
        assert!(
            copyright_licenses(b"This is free software, see /usr/share/common-licenses.")
                .is_empty()
        );
    }

    #[test]
    fn bad_status() {
        assert!(
            parse_status(b"Version: 1\n")
                .unwrap_err()
                .contains("without a Package")
        );
        assert!(parse_status(&[0xff, 0xfe]).is_err());
        assert!(parse_status(b"").unwrap().is_empty());
    }
}
