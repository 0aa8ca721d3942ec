//! Package URLs (<https://github.com/package-url/purl-spec>): parsing, the versionless package
//! key that joins components with advisories, and the mapping to OSV ecosystems.

use std::fmt::Write as _;

/// A parsed package URL. Namespace segments, name and version are percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Vec<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
    pub subpath: Option<String>,
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn encode_segment(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

impl Purl {
    /// Parses a package URL; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Purl> {
        let rest = s.trim().strip_prefix("pkg:")?;
        let rest = rest.trim_start_matches('/');
        let (rest, subpath) = match rest.split_once('#') {
            Some((r, sp)) => (r, Some(decode(sp.trim_matches('/'))?)),
            None => (rest, None),
        };
        let (rest, qualifiers) = match rest.split_once('?') {
            Some((r, q)) => {
                let mut qs = Vec::new();
                for pair in q.split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=')?;
                    let v = decode(v)?;
                    if !v.is_empty() {
                        qs.push((k.to_ascii_lowercase(), v));
                    }
                }
                qs.sort();
                (r, qs)
            }
            None => (rest, Vec::new()),
        };
        let rest = rest.trim_end_matches('/');
        let (rest, version) = match rest.rfind('@') {
            // An `@` before the last `/` belongs to the path (an npm scope written raw).
            Some(at) if rest[at..].find('/').is_none() => {
                (&rest[..at], Some(decode(&rest[at + 1..])?))
            }
            _ => (rest, None),
        };
        let mut parts = rest.split('/').filter(|p| !p.is_empty());
        let ty = parts.next()?.to_ascii_lowercase();
        if ty.is_empty()
            || !ty
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
        {
            return None;
        }
        let mut segments: Vec<String> = parts.map(decode).collect::<Option<_>>()?;
        let name = segments.pop()?;
        if name.is_empty() {
            return None;
        }
        Some(Purl {
            ty,
            namespace: segments,
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
            subpath,
        })
    }

    /// The value of qualifier `key`.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The versionless, qualifier-free key of the package, normalized per type so that a
    /// component's purl and an advisory's package name give the same key.
    pub fn package_key(&self) -> String {
        let lower = matches!(
            self.ty.as_str(),
            "pypi"
                | "npm"
                | "nuget"
                | "composer"
                | "gem"
                | "hex"
                | "pub"
                | "deb"
                | "apk"
                | "rpm"
                | "github"
                | "bitbucket"
        );
        let norm = |s: &str| -> String {
            let s = if lower {
                s.to_lowercase()
            } else {
                s.to_string()
            };
            if self.ty == "pypi" {
                s.replace(['_', '.'], "-")
            } else {
                s
            }
        };
        let mut out = format!("pkg:{}/", self.ty);
        for ns in &self.namespace {
            encode_segment(&norm(ns), &mut out);
            out.push('/');
        }
        encode_segment(&norm(&self.name), &mut out);
        out
    }

    /// The OSV ecosystem of this package, with the distribution release where the purl tells it
    /// (`Debian:12`, `AlmaLinux:9`, `Alpine:v3.18`); `None` for types OSV does not cover.
    pub fn osv_ecosystem(&self) -> Option<String> {
        let ns = self.namespace.first().map(|s| s.to_ascii_lowercase());
        let family = match (self.ty.as_str(), ns.as_deref()) {
            ("golang", _) => "Go",
            ("maven", _) => "Maven",
            ("npm", _) => "npm",
            ("pypi", _) => "PyPI",
            ("cargo", _) => "crates.io",
            ("gem", _) => "RubyGems",
            ("nuget", _) => "NuGet",
            ("composer", _) => "Packagist",
            ("hex", _) => "Hex",
            ("pub", _) => "Pub",
            ("swift", _) => "SwiftURL",
            ("conan", _) => "ConanCenter",
            ("cran", _) => "CRAN",
            ("bitnami", _) => "Bitnami",
            ("deb", Some("debian")) => "Debian",
            ("deb", Some("ubuntu")) => "Ubuntu",
            ("rpm", Some("almalinux")) => "AlmaLinux",
            ("rpm", Some("rocky-linux" | "rocky")) => "Rocky Linux",
            ("rpm", Some("redhat")) => "Red Hat",
            ("rpm", Some("opensuse")) => "openSUSE",
            ("rpm", Some("suse")) => "SUSE",
            ("apk", Some("alpine")) => "Alpine",
            ("apk", Some("wolfi")) => "Wolfi",
            ("apk", Some("chainguard")) => "Chainguard",
            _ => return None,
        };
        let release = self.qualifier("distro").and_then(|d| {
            let d = d.to_ascii_lowercase();
            let digits = d.trim_start_matches(|c: char| !c.is_ascii_digit());
            let major = digits.split(['.', '-']).next().unwrap_or_default();
            match family {
                "Debian" | "AlmaLinux" | "Rocky Linux" if !major.is_empty() => {
                    Some(major.to_string())
                }
                "Alpine" if !digits.is_empty() => {
                    let mut it = digits.split('.');
                    let (a, b) = (it.next()?, it.next()?);
                    Some(format!("v{a}.{b}"))
                }
                "Ubuntu" if !digits.is_empty() => Some(digits.to_string()),
                _ => None,
            }
        });
        Some(match release {
            Some(r) => format!("{family}:{r}"),
            None => family.to_string(),
        })
    }

    /// The purl of package `name` in OSV `ecosystem` (no version), the inverse of
    /// [`Purl::osv_ecosystem`]; `None` for an ecosystem without a purl type.
    pub fn from_osv(ecosystem: &str, name: &str) -> Option<Purl> {
        let family = ecosystem.split(':').next().unwrap_or_default();
        let (ty, ns): (&str, Option<&str>) = match family {
            "Go" => ("golang", None),
            "Maven" => ("maven", None),
            "npm" => ("npm", None),
            "PyPI" => ("pypi", None),
            "crates.io" => ("cargo", None),
            "RubyGems" => ("gem", None),
            "NuGet" => ("nuget", None),
            "Packagist" => ("composer", None),
            "Hex" => ("hex", None),
            "Pub" => ("pub", None),
            "SwiftURL" => ("swift", None),
            "ConanCenter" => ("conan", None),
            "CRAN" => ("cran", None),
            "Bitnami" => ("bitnami", None),
            "Debian" => ("deb", Some("debian")),
            "Ubuntu" => ("deb", Some("ubuntu")),
            "AlmaLinux" => ("rpm", Some("almalinux")),
            "Rocky Linux" => ("rpm", Some("rocky-linux")),
            "Red Hat" => ("rpm", Some("redhat")),
            "openSUSE" => ("rpm", Some("opensuse")),
            "SUSE" => ("rpm", Some("suse")),
            "Alpine" => ("apk", Some("alpine")),
            "Wolfi" => ("apk", Some("wolfi")),
            "Chainguard" => ("apk", Some("chainguard")),
            _ => return None,
        };
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut namespace: Vec<String> = ns.map(str::to_string).into_iter().collect();
        let leaf = match ty {
            "maven" => {
                let (group, artifact) = name.split_once(':')?;
                namespace.push(group.to_string());
                artifact.to_string()
            }
            "golang" | "npm" | "composer" | "swift" => {
                let mut segs: Vec<&str> = name.split('/').collect();
                let leaf = segs.pop()?.to_string();
                namespace.extend(segs.into_iter().map(str::to_string));
                leaf
            }
            _ => name.to_string(),
        };
        Some(Purl {
            ty: ty.to_string(),
            namespace,
            name: leaf,
            version: None,
            qualifiers: Vec::new(),
            subpath: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keys() {
        let p = Purl::parse("pkg:npm/%40angular/core@12.0.0?foo=bar#sub/path").unwrap();
        assert_eq!(p.namespace, vec!["@angular"]);
        assert_eq!(p.version.as_deref(), Some("12.0.0"));
        assert_eq!(p.package_key(), "pkg:npm/%40angular/core");
        assert_eq!(
            Purl::from_osv("npm", "@angular/core")
                .unwrap()
                .package_key(),
            p.package_key()
        );
        let m =
            Purl::parse("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar").unwrap();
        assert_eq!(
            Purl::from_osv("Maven", "org.apache.logging.log4j:log4j-core")
                .unwrap()
                .package_key(),
            m.package_key()
        );
        let py = Purl::parse("pkg:pypi/Django_Rest.framework@1.0").unwrap();
        assert_eq!(py.package_key(), "pkg:pypi/django-rest-framework");
        assert!(Purl::parse("not a purl").is_none());
        assert!(Purl::parse("pkg:").is_none());
    }

    #[test]
    fn ecosystems() {
        let d = Purl::parse("pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12").unwrap();
        assert_eq!(d.osv_ecosystem().as_deref(), Some("Debian:12"));
        let a = Purl::parse("pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4").unwrap();
        assert_eq!(a.osv_ecosystem().as_deref(), Some("Alpine:v3.18"));
        let g = Purl::parse("pkg:golang/golang.org/x/net@v0.1.0").unwrap();
        assert_eq!(g.osv_ecosystem().as_deref(), Some("Go"));
        assert_eq!(
            Purl::from_osv("Go", "golang.org/x/net")
                .unwrap()
                .package_key(),
            g.package_key()
        );
        assert_eq!(
            Purl::parse("pkg:generic/foo@1").unwrap().osv_ecosystem(),
            None
        );
    }
}
