//! Package URLs (<https://github.com/package-url/purl-spec>): parsing and the canonical form as
//! the specification and its per-type rules define them, the versionless package key that joins
//! components with advisories, and the mapping to OSV ecosystems.
//!
//! [`Purl::parse_strict`] follows the specification (the purl-spec test suite runs against it);
//! [`Purl::parse`] is what ingestion reads SBOMs with: the same parser and normalization, but it
//! also takes what tools in the field write and the specification refuses (surrounding white
//! space, an upper-case `PKG:` scheme, a type's namespace or version requirements and its extra
//! checks unmet), rather than losing the component.

use std::fmt::Write as _;

/// A parsed package URL. Namespace segments, name, version, qualifier values and subpath are
/// percent-decoded and normalized per type; qualifiers are sorted by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Vec<String>,
    pub name: String,
    pub version: Option<String>,
    pub qualifiers: Vec<(String, String)>,
    pub subpath: Option<String>,
}

/// The components of a purl as the specification's "build" takes them (not yet encoded).
#[derive(Clone, Debug, Default)]
pub struct Components<'a> {
    pub ty: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
    pub qualifiers: Vec<(&'a str, &'a str)>,
    pub subpath: Option<&'a str>,
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

/// Percent-encodes everything but ASCII letters and digits, `.`, `-`, `_`, `~` and `:`.
fn encode_segment(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// How a type treats its namespace.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
    Prohibited,
}

/// The per-type rules of purl-spec's `types/<type>-definition.json` that parsing applies.
struct TypeRules {
    namespace: Need,
    namespace_lower: bool,
    name_lower: bool,
    version_lower: bool,
    version_required: bool,
}

fn rules(ty: &str) -> TypeRules {
    use Need::*;
    let (namespace, namespace_lower, name_lower) = match ty {
        "alpm" | "apk" | "bitbucket" | "composer" | "deb" | "github" | "vscode-extension" => {
            (Required, true, true)
        }
        "qpkg" | "rpm" => (Required, true, false),
        "git" | "golang" | "huggingface" | "maven" | "swift" => (Required, false, false),
        "brew" | "hex" | "luarocks" => (Optional, true, true),
        "yocto" => (Optional, true, false),
        "conan" | "cpan" | "docker" | "generic" | "npm" | "swid" => (Optional, false, false),
        "bitnami" | "chrome-extension" | "oci" | "otp" | "pub" | "pypi" => {
            (Prohibited, false, true)
        }
        "bazel" | "cargo" | "cocoapods" | "conda" | "cran" | "gem" | "hackage" | "julia"
        | "mlflow" | "nuget" | "opam" | "vcpkg" => (Prohibited, false, false),
        _ => (Optional, false, false),
    };
    TypeRules {
        namespace,
        namespace_lower,
        name_lower,
        version_lower: matches!(ty, "huggingface" | "oci" | "pypi" | "vscode-extension"),
        version_required: ty == "hackage",
    }
}

/// A qualifier key: ASCII letters, digits, `.`, `-` and `_`, not starting with a digit.
fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && !k.starts_with(|c: char| c.is_ascii_digit())
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// A type: ASCII letters, digits, `.`, `+` and `-`, not starting with a digit.
fn valid_type(t: &str) -> bool {
    !t.is_empty()
        && !t.starts_with(|c: char| c.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

/// Subpath segments: split at `/`, empty, `.` and `..` segments dropped.
fn clean_subpath<'a>(segments: impl Iterator<Item = &'a str>) -> Option<String> {
    let kept: Vec<&str> = segments
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    (!kept.is_empty()).then(|| kept.join("/"))
}

type Parsed<T> = Result<T, String>;

/// The validity rules some type definitions add beyond the grammar.
fn type_checks(
    ty: &str,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(String, String)],
) -> Parsed<()> {
    let has = |key: &str| qualifiers.iter().any(|(k, _)| k == key);
    match ty {
        "chrome-extension" => {
            if name.len() != 32
                || !name
                    .bytes()
                    .all(|b| (b'a'..=b'p').contains(&b.to_ascii_lowercase()))
            {
                return Err("a Chrome extension id is 32 letters a to p".into());
            }
            if let Some(v) = version {
                let parts: Vec<&str> = v.split('.').collect();
                if parts.len() > 4
                    || !parts
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err("a Chrome extension version is one to four numbers".into());
                }
            }
        }
        "cpan" if name.contains("::") => {
            return Err("a CPAN purl names a distribution (URI-PackageURL), not a module".into());
        }
        "julia" if !has("uuid") => return Err("a julia purl needs a uuid qualifier".into()),
        _ => {}
    }
    Ok(())
}

impl Purl {
    /// Parses a package URL leniently (see the module documentation); `None` when it is not one.
    pub fn parse(s: &str) -> Option<Purl> {
        Self::parse_with(s, false).ok()
    }

    /// Parses a package URL as the purl specification does, with the reason when it is not one.
    pub fn parse_strict(s: &str) -> Parsed<Purl> {
        Self::parse_with(s, true)
    }

    fn parse_with(s: &str, strict: bool) -> Parsed<Purl> {
        let s = if strict { s } else { s.trim() };
        let (rest, subpath) = match s.rsplit_once('#') {
            Some((r, sp)) => {
                let segments = sp
                    .split('/')
                    .map(|seg| {
                        decode(seg).ok_or_else(|| format!("bad percent-encoding in {seg:?}"))
                    })
                    .collect::<Parsed<Vec<String>>>()?;
                // A segment whose `%2F` decodes to `/` is split there too: the subpath is kept
                // as `/`-separated segments, so a decoded slash separates them as well.
                (
                    r,
                    clean_subpath(segments.iter().flat_map(|seg| seg.split('/'))),
                )
            }
            None => (s, None),
        };
        let (rest, raw_qualifiers) = match rest.rsplit_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (scheme, rest) = rest
            .split_once(':')
            .ok_or("no scheme: a purl starts with pkg:")?;
        if scheme != "pkg" && (strict || !scheme.eq_ignore_ascii_case("pkg")) {
            return Err(format!("scheme {scheme:?} is not pkg"));
        }
        let rest = rest.trim_start_matches('/');
        let (ty, rest) = rest.split_once('/').unwrap_or((rest, ""));
        if !valid_type(ty) {
            return Err(format!("invalid type {ty:?}"));
        }
        let ty = ty.to_ascii_lowercase();
        let mut qualifiers = Vec::new();
        for pair in raw_qualifiers
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| format!("qualifier {pair:?} has no ="))?;
            if !valid_key(k) {
                return Err(format!("invalid qualifier key {k:?}"));
            }
            let v = decode(v).ok_or_else(|| format!("bad percent-encoding in {v:?}"))?;
            if !v.is_empty() {
                qualifiers.push((k.to_ascii_lowercase(), v));
            }
        }
        let rest = rest.trim_end_matches('/');
        let (path, version) = match rest.rfind('@') {
            // An `@` before the last `/` belongs to the path: an npm scope written raw,
            // `pkg:npm/@babel/core` (the suite's own recommended case).
            Some(at) if !rest[at..].contains('/') => {
                let v = decode(&rest[at + 1..])
                    .ok_or_else(|| format!("bad percent-encoding in version {rest:?}"))?;
                if rest[..at].ends_with('/') {
                    return Err("a name is required before the @version".into());
                }
                (&rest[..at], Some(v))
            }
            _ => (rest, None),
        };
        let mut segments = path
            .split('/')
            .filter(|seg| !seg.is_empty())
            .map(|seg| decode(seg).ok_or_else(|| format!("bad percent-encoding in {seg:?}")))
            .collect::<Parsed<Vec<String>>>()?;
        let (namespace, name) = if ty == "git" {
            // git: the namespace is the host, the name the repository path on it.
            let rest = segments.split_off(segments.len().min(1));
            (segments, rest.join("/"))
        } else {
            let name = segments.pop().unwrap_or_default();
            (segments, name)
        };
        Self::finish(
            ty,
            namespace,
            name,
            version.filter(|v| !v.is_empty()),
            qualifiers,
            subpath,
            strict,
        )
    }

    /// Builds a purl from its components, as the specification's "build" does.
    pub fn build(c: &Components) -> Parsed<Purl> {
        let ty = c.ty.ok_or("a type is required")?;
        if !valid_type(ty) {
            return Err(format!("invalid type {ty:?}"));
        }
        let mut qualifiers = Vec::new();
        for &(k, v) in &c.qualifiers {
            if !valid_key(k) {
                return Err(format!("invalid qualifier key {k:?}"));
            }
            if !v.is_empty() {
                qualifiers.push((k.to_ascii_lowercase(), v.to_string()));
            }
        }
        let namespace = c
            .namespace
            .into_iter()
            .flat_map(|ns| ns.split('/'))
            .filter(|seg| !seg.is_empty())
            .map(str::to_string)
            .collect();
        let name = c.name.unwrap_or_default();
        if ty != "git" && name.contains('/') {
            return Err(format!("a {ty} name is one segment: {name:?}"));
        }
        Self::finish(
            ty.to_ascii_lowercase(),
            namespace,
            name.to_string(),
            c.version.filter(|v| !v.is_empty()).map(str::to_string),
            qualifiers,
            c.subpath.and_then(|sp| clean_subpath(sp.split('/'))),
            true,
        )
    }

    /// The type rules, checks and normalizations shared by parse and build.
    fn finish(
        ty: String,
        mut namespace: Vec<String>,
        mut name: String,
        mut version: Option<String>,
        mut qualifiers: Vec<(String, String)>,
        subpath: Option<String>,
        strict: bool,
    ) -> Parsed<Purl> {
        if ty == "git" {
            // A git name is a path: a slash decoded from `%2F` separates its segments as a
            // written one does, and empty segments go, so the canonical form reads back the same.
            name = name
                .split('/')
                .filter(|seg| !seg.is_empty())
                .collect::<Vec<_>>()
                .join("/");
        }
        if name.is_empty() {
            return Err("a name is required".into());
        }
        qualifiers.sort_by(|a, b| a.0.cmp(&b.0));
        if qualifiers.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("a qualifier key appears twice".into());
        }
        let r = rules(&ty);
        if strict {
            match r.namespace {
                Need::Required if namespace.is_empty() => {
                    return Err(format!("a {ty} purl needs a namespace"));
                }
                Need::Prohibited if !namespace.is_empty() => {
                    return Err(format!("a {ty} purl has no namespace"));
                }
                _ => {}
            }
            if r.version_required && version.is_none() {
                return Err(format!("a {ty} purl needs a version"));
            }
            type_checks(&ty, &name, version.as_deref(), &qualifiers)?;
        }
        if r.namespace_lower {
            namespace.iter_mut().for_each(|s| *s = s.to_lowercase());
        }
        let azure_mlflow = ty == "mlflow"
            && qualifiers
                .iter()
                .any(|(k, v)| k == "repository_url" && v.contains("azuredatabricks.net"));
        if r.name_lower || azure_mlflow {
            name = name.to_lowercase();
        }
        match ty.as_str() {
            "pypi" => name = name.replace('_', "-"),
            "pub" => {
                name = name
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect()
            }
            _ => {}
        }
        if r.version_lower {
            version = version.map(|v| v.to_lowercase());
        }
        Ok(Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }

    /// The version, with an `epoch` qualifier folded in for deb and rpm purls
    /// (`@1.2-3?epoch=1` is version `1:1.2-3`, the way syft writes RPM epochs). A version that
    /// already names its epoch keeps it.
    pub fn full_version(&self) -> Option<String> {
        let version = self.version.as_deref()?;
        match self.qualifier("epoch") {
            Some(epoch) if matches!(self.ty.as_str(), "deb" | "rpm") && !version.contains(':') => {
                Some(format!("{epoch}:{version}"))
            }
            _ => Some(version.to_string()),
        }
    }

    /// This purl with the `epoch` qualifier of a deb or rpm purl folded into its version (see
    /// [`Purl::full_version`]): what `purl_normalize` prints.
    pub fn normalized(&self) -> Purl {
        let mut p = self.clone();
        if matches!(p.ty.as_str(), "deb" | "rpm") && p.version.is_some() {
            p.version = p.full_version();
            p.qualifiers.retain(|(k, _)| k != "epoch");
        }
        p
    }

    /// The canonical purl string: every component normalized and percent-encoded, qualifiers
    /// sorted by key.
    pub fn canonical(&self) -> String {
        let mut out = format!("pkg:{}/", self.ty);
        for ns in &self.namespace {
            encode_segment(ns, &mut out);
            out.push('/');
        }
        // A git name is a path on its host; every other name is one segment.
        for (i, seg) in self.name.split('/').enumerate() {
            if i > 0 && self.ty == "git" {
                out.push('/');
            } else if i > 0 {
                out.push_str("%2F");
            }
            encode_segment(seg, &mut out);
        }
        if let Some(v) = &self.version {
            out.push('@');
            encode_segment(v, &mut out);
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            encode_segment(v, &mut out);
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            for (i, seg) in sp.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode_segment(seg, &mut out);
            }
        }
        out
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

    /// Found by the purl fuzz target: an encoded slash in a subpath segment separates segments
    /// once decoded, so the canonical form reads back the same.
    #[test]
    fn an_encoded_slash_in_the_subpath_separates_segments() {
        let p = Purl::parse_strict("pkg:npm/a@1#%2Fd/e%2Ff").unwrap();
        assert_eq!(p.subpath.as_deref(), Some("d/e/f"));
        let canonical = p.canonical();
        assert_eq!(canonical, "pkg:npm/a@1#d/e/f");
        assert_eq!(
            Purl::parse_strict(&canonical).unwrap().canonical(),
            canonical
        );
    }

    /// Found by the purl fuzz target (a git name whose `%2f` decodes to a trailing slash): the
    /// same checks as `vexlake_fuzz::purl`.
    #[test]
    fn fuzz_regression_keys_and_canonical_forms_are_stable() {
        for text in [
            "pkg:git/\u{0}/o/ pkg:o/\u{1}ih%2f",
            "pkg:git/github.com/a%2F%2Fb/c%2F",
        ] {
            if let Some(purl) = Purl::parse(text) {
                let key = purl.package_key();
                let again = Purl::parse(&key).unwrap_or_else(|| panic!("key {key:?} of {text:?}"));
                assert_eq!(again.package_key(), key, "key of {text:?}");
            }
            if let Ok(strict) = Purl::parse_strict(text) {
                let canonical = strict.canonical();
                let again = Purl::parse_strict(&canonical)
                    .unwrap_or_else(|e| panic!("canonical {canonical:?} of {text:?}: {e}"));
                assert_eq!(again.canonical(), canonical, "canonical of {text:?}");
                let normalized = strict.normalized().canonical();
                let again = Purl::parse_strict(&normalized).expect("the normalized form parses");
                assert_eq!(again.normalized().canonical(), normalized, "{text:?}");
            }
        }
        let p = Purl::parse_strict("pkg:git/github.com/a%2F%2Fb/c%2F").unwrap();
        assert_eq!(p.canonical(), "pkg:git/github.com/a/b/c");
    }

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
