//! Stitching: the layers' fragments, bottom to top, make the image's file view (later layers
//! replace files, whiteouts delete them, opaque directories hide what is below), and from it
//! the image's OS and packages, each with the layer that introduced it.
//!
//! Stitching reads fragments only, so a cached image is stitched without reading its layers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use vexlake_udfs::kernels::purl::{Components, Purl};

use super::analyzers::{Found, Manager, Package};
use super::layers::Fragment;
use super::oci::RunConfig;
use super::usage::{self, Reach};

/// The image's operating system, from os-release.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Os {
    /// `ID` (`debian`, `ubuntu`, `alpine`, `rhel`, ...).
    pub id: String,
    pub version_id: Option<String>,
    pub codename: Option<String>,
    pub pretty_name: Option<String>,
    pub name: Option<String>,
}

impl Os {
    /// The purl `distro` qualifier: `debian-12`, `alpine-3.19.1`.
    pub fn distro(&self) -> String {
        match self.version_id.as_deref().or(self.codename.as_deref()) {
            Some(v) => format!("{}-{v}", self.id),
            None => self.id.clone(),
        }
    }

    /// The purl namespace of `manager`'s packages on this OS.
    fn namespace(os: Option<&Os>, manager: Manager) -> String {
        let id = os.map(|o| o.id.as_str()).unwrap_or_default();
        match (manager, id) {
            (Manager::Dpkg, "") => "debian".into(),
            (Manager::Apk, "") => "alpine".into(),
            (Manager::Rpm, "rhel" | "") => "redhat".into(),
            (Manager::Rpm, "amzn") => "amazon".into(),
            (Manager::Rpm, "ol") => "oracle".into(),
            (Manager::Rpm, "sles" | "sled") => "suse".into(),
            (Manager::Rpm, id) if id.starts_with("opensuse") => "opensuse".into(),
            (_, id) => id.to_string(),
        }
    }
}

/// A package found in the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    /// Unique in the SBOM: the purl (with `#N` added if one purl is found twice).
    pub bom_ref: String,
    pub purl: String,
    pub manager: Manager,
    /// The index and diff id of the layer that introduced it (the lowest layer from which it
    /// is present in every layer above).
    pub layer_index: usize,
    pub layer: String,
    /// The file that lists it (inside an archive: `outer.war!/inner.jar!/...`).
    pub path: String,
    pub package: Package,
    /// With a usage view: whether the entrypoint's closure runs it (`closure`), only links
    /// it (`linked`), or it is only present (`present`).
    pub usage: Option<&'static str>,
}

/// What stitching gives: the OS, the packages (sorted by purl), the dependency edges between
/// them (bom-refs) and the problems the fragments reported.
#[derive(Clone, Debug, Default)]
pub struct Stitched {
    pub os: Option<Os>,
    pub components: Vec<Component>,
    pub dependencies: BTreeMap<String, BTreeSet<String>>,
    pub problems: Vec<String>,
    /// The entrypoint's usage view; `None` for an image without Entrypoint or Cmd.
    pub usage: Option<UsageView>,
    /// Native binaries and libraries no package owns.
    pub unowned: Vec<UnownedBinary>,
}

fn remove_under<V>(map: &mut BTreeMap<String, V>, dir: &str, including_dir: bool) {
    if dir.is_empty() {
        map.clear();
        return;
    }
    let prefix = format!("{dir}/");
    map.retain(|k, _| !(k.starts_with(&prefix) || (including_dir && k == dir)));
}

type Key = (
    Manager,
    Option<String>,
    String,
    String,
    Option<u64>,
    Option<String>,
);

fn key(manager: Manager, p: &Package) -> Key {
    (
        manager,
        p.namespace.clone(),
        p.name.clone(),
        p.version.clone(),
        p.epoch,
        p.arch.clone(),
    )
}

/// Stitches the fragments of an image's layers, bottom layer first; with the image's run
/// config, the usage view of its entrypoint too.
pub fn stitch(fragments: &[&Fragment], config: Option<&RunConfig>) -> Stitched {
    let mut files: BTreeMap<String, (usize, &Found)> = BTreeMap::new();
    let mut links: BTreeMap<String, String> = BTreeMap::new();
    let mut introduced: HashMap<Key, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, f) in fragments.iter().enumerate() {
        for dir in &f.opaque {
            remove_under(&mut files, dir, false);
            remove_under(&mut links, dir, false);
        }
        for path in &f.whiteouts {
            remove_under(&mut files, path, true);
            remove_under(&mut links, path, true);
        }
        for (path, found) in &f.files {
            links.remove(path);
            files.insert(path.clone(), (i, found));
        }
        for (path, target) in &f.symlinks {
            files.remove(path);
            links.insert(path.clone(), target.clone());
        }
        problems.extend(
            f.problems
                .iter()
                .map(|p| format!("layer {}: {p}", f.diff_id)),
        );
        let mut present = BTreeSet::new();
        for (_, found) in files.values() {
            if let Some((manager, packages)) = found.packages() {
                present.extend(packages.iter().map(|p| key(manager, p)));
            }
        }
        introduced.retain(|k, _| present.contains(k));
        for k in present {
            introduced.entry(k).or_insert(i);
        }
    }

    let os = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| resolve(&files, &links, p))
        .and_then(|found| match found {
            Found::OsRelease { fields } => fields.get("ID").map(|id| Os {
                id: id.to_ascii_lowercase(),
                version_id: fields.get("VERSION_ID").cloned(),
                codename: fields.get("VERSION_CODENAME").cloned(),
                pretty_name: fields.get("PRETTY_NAME").cloned(),
                name: fields.get("NAME").cloned(),
            }),
            _ => None,
        });

    // Applications whose packages are installed (`APP/node_modules/**/package.json`): their
    // lock files also list what an install skipped (other platforms' optional packages), so
    // the installed packages are listed instead.
    let installed_apps: BTreeSet<&str> = files
        .keys()
        .filter(|p| p.ends_with("/package.json"))
        .filter_map(|p| {
            let at = p.find("node_modules/")?;
            Some(p[..at].trim_end_matches('/'))
        })
        .collect();
    let mut components: Vec<Component> = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, (_, found)) in &files {
        let Some((manager, packages)) = found.packages() else {
            continue;
        };
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        if manager == Manager::Npm
            && matches!(
                base,
                "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml"
            )
            && installed_apps.contains(dir)
        {
            continue;
        }
        for p in packages {
            let k = key(manager, p);
            if !seen.insert(k.clone()) {
                continue;
            }
            let layer_index = introduced.get(&k).copied().unwrap_or_default();
            let purl = purl(os.as_ref(), manager, p);
            let mut package = p.clone();
            if manager == Manager::Dpkg && package.licenses.is_empty() {
                let copyright = format!("usr/share/doc/{}/copyright", p.name);
                if let Some(Found::Licenses { licenses }) = resolve(&files, &links, &copyright) {
                    package.licenses = licenses.clone();
                }
            }
            let path = match &p.member {
                Some(member) => format!("{path}!/{member}"),
                None => path.clone(),
            };
            components.push(Component {
                bom_ref: purl.clone(),
                purl,
                manager,
                layer_index,
                layer: fragments[layer_index].diff_id.clone(),
                path,
                package,
                usage: None,
            });
        }
    }
    components.sort_by(|a, b| a.purl.cmp(&b.purl).then(a.path.cmp(&b.path)));
    let mut counts: HashMap<String, usize> = HashMap::new();
    for c in &mut components {
        let n = counts.entry(c.purl.clone()).or_default();
        *n += 1;
        if *n > 1 {
            c.bom_ref = format!("{}#{n}", c.purl);
        }
    }
    let dependencies = dependencies(&components);
    let view = usage::View {
        files: &files,
        links: &links,
    };
    let usage = config
        .and_then(|c| usage::closure(&view, c))
        .map(|closure| usage_view(&view, os.as_ref(), &components, closure));
    if let Some(u) = &usage {
        for c in &mut components {
            c.usage = Some(u.components.get(&c.bom_ref).map_or("present", |r| r.name()));
        }
    }
    let unowned = unowned_binaries(&view, &components, fragments);
    Stitched {
        os,
        components,
        dependencies,
        problems,
        usage,
        unowned,
    }
}

/// The usage view: the inventory's packages the entrypoint's closure reaches, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageView {
    /// The command the image runs.
    pub argv: Vec<String>,
    /// The packages reached, by bom-ref (executed wins over linked).
    pub components: BTreeMap<String, Reach>,
    /// Files of the closure no package owns.
    pub unowned: BTreeMap<String, Reach>,
    /// Programs and libraries the closure names but the image does not hold.
    pub unresolved: Vec<String>,
}

fn raise(map: &mut BTreeMap<String, Reach>, key: &str, reach: Reach) {
    let r = map.entry(key.to_string()).or_insert(reach);
    *r = (*r).max(reach);
}

/// The packages owning the files `wanted` picks (real paths, links resolved): OS packages
/// through their file lists, Python distributions through `RECORD`. Only wanted files are
/// kept: the lists are long.
fn owners<'a>(
    view: &usage::View<'_>,
    components: &'a [Component],
    wanted: impl Fn(&str) -> bool,
) -> HashMap<String, &'a str> {
    let mut owner: HashMap<String, &'a str> = HashMap::new();
    // A listed path's directories are resolved (`/lib` is `usr/lib` in a merged-/usr image),
    // not its last component: a package that ships a link (libc-bin's `/usr/bin/ld.so`) does
    // not own the file it points at.
    let mut own = |path: &str, bom_ref: &'a str| {
        let path = super::layers::normalize(path);
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", &path));
        let Some(dir) = view.real(dir) else {
            return;
        };
        let file = if dir.is_empty() {
            base.to_string()
        } else {
            format!("{dir}/{base}")
        };
        if wanted(&file) {
            owner.entry(file).or_insert(bom_ref);
        }
    };
    for c in components {
        for f in &c.package.files {
            own(f, &c.bom_ref);
        }
    }
    for (_, found) in view.files.values() {
        let Found::Files {
            manager,
            package,
            files,
        } = found
        else {
            continue;
        };
        let component = match manager {
            Manager::Python => {
                let metadata = format!("{package}/METADATA");
                components.iter().find(|c| c.path == metadata)
            }
            m => components
                .iter()
                .find(|c| c.manager == *m && &c.package.name == package),
        };
        // A list whose package the database no longer holds owns nothing.
        if let Some(c) = component {
            for f in files {
                own(f, &c.bom_ref);
            }
        }
    }
    owner
}

/// A native binary or library no package owns: no OS package lists it, no Python `RECORD`, and
/// it carries no Go or Rust module record of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnownedBinary {
    pub path: String,
    pub layer_index: usize,
    pub layer: String,
    pub binary: crate::scan::native::Binary,
}

/// The binaries of the image no package owns.
fn unowned_binaries(
    view: &usage::View<'_>,
    components: &[Component],
    fragments: &[&Fragment],
) -> Vec<UnownedBinary> {
    let binaries: BTreeMap<&str, (usize, &crate::scan::native::Binary)> = view
        .files
        .iter()
        .filter_map(|(p, (layer, f))| match f {
            Found::Binary(b) if b.packages.is_empty() => Some((p.as_str(), (*layer, b.as_ref()))),
            _ => None,
        })
        .collect();
    let owner = owners(view, components, |f| binaries.contains_key(f));
    // npm keeps no file lists: a native addon belongs to the installed package whose directory
    // holds it (`node_modules/NAME/build/Release/x.node`, scoped names too).
    let in_npm_package = |path: &str| {
        let Some(at) = path.rfind("node_modules/") else {
            return false;
        };
        let rest = &path[at + "node_modules/".len()..];
        let segments = if rest.starts_with('@') { 2 } else { 1 };
        let name: Vec<&str> = rest.splitn(segments + 1, '/').take(segments).collect();
        let manifest = format!(
            "{}{}/package.json",
            &path[..at + "node_modules/".len()],
            name.join("/")
        );
        matches!(
            view.files.get(&manifest),
            Some((_, Found::Packages { manager: Manager::Npm, packages, .. })) if !packages.is_empty()
        )
    };
    binaries
        .into_iter()
        .filter(|(p, _)| !owner.contains_key(*p) && !in_npm_package(p))
        .map(|(p, (layer, b))| UnownedBinary {
            path: p.to_string(),
            layer_index: layer,
            layer: fragments[layer].diff_id.clone(),
            binary: b.clone(),
        })
        .collect()
}

/// Maps a closure's files to the packages that own them: OS packages through their file
/// lists (dpkg's `.list` files, rpm's and apk's lists, resolved through the image's links, so
/// `/bin/sh` of a merged-/usr image is `usr/bin/sh`), Python distributions through `RECORD`,
/// the modules compiled into a Go or Rust binary, and the packages an interpreter loads from
/// the application's directories.
fn usage_view(
    view: &usage::View<'_>,
    os: Option<&Os>,
    components: &[Component],
    closure: usage::Closure,
) -> UsageView {
    let by_key: HashMap<String, &str> = components
        .iter()
        .map(|c| (c.purl.clone(), c.bom_ref.as_str()))
        .collect();
    let owner = owners(view, components, |f| closure.files.contains_key(f));

    let mut out = UsageView {
        argv: closure.argv.clone(),
        unresolved: closure.unresolved.clone(),
        ..UsageView::default()
    };
    for (file, reach) in &closure.files {
        let mut attributed = false;
        if let Some(bom_ref) = owner.get(file) {
            raise(&mut out.components, bom_ref, *reach);
            attributed = true;
        }
        if let Some((_, Found::Binary(b))) = view.files.get(file)
            && let Some(manager) = b.manager
        {
            for p in &b.packages {
                if let Some(bom_ref) = by_key.get(&purl(os, manager, p)) {
                    raise(&mut out.components, bom_ref, *reach);
                }
            }
        }
        if !attributed {
            raise(&mut out.unowned, file, *reach);
        }
    }
    // What an interpreter loads from the application's directories.
    for c in components {
        let loaded = match c.manager {
            // `SITE/NAME.dist-info/METADATA`: loaded when SITE is.
            Manager::Python => closure
                .package_dirs
                .contains(usage::dir_of(usage::dir_of(&c.path))),
            Manager::Npm => closure
                .package_dirs
                .iter()
                .any(|d| d.ends_with("node_modules") && c.path.starts_with(&format!("{d}/"))),
            Manager::Maven => closure
                .jars
                .iter()
                .any(|j| c.path == *j || c.path.starts_with(&format!("{j}!/"))),
            _ => false,
        };
        if loaded {
            raise(&mut out.components, &c.bom_ref, Reach::Executed);
        }
    }
    out
}

/// The file at `path` in the stitched view, following symbolic links (at most 16).
fn resolve<'a>(
    files: &BTreeMap<String, (usize, &'a Found)>,
    links: &BTreeMap<String, String>,
    path: &str,
) -> Option<&'a Found> {
    let mut p = path.to_string();
    for _ in 0..16 {
        if let Some((_, f)) = files.get(&p) {
            return Some(f);
        }
        p = links.get(&p)?.clone();
    }
    None
}

/// The purl of a package: `pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12`,
/// with `upstream` naming the source package (`NAME`, or `NAME@VERSION` when the source's
/// version differs; rpm: the source rpm) and rpm's `epoch`.
pub fn purl(os: Option<&Os>, manager: Manager, p: &Package) -> String {
    if !manager.is_os() {
        return language_purl(manager, p);
    }
    let namespace = Os::namespace(os, manager);
    let distro = os.map(Os::distro);
    let epoch = p.epoch.map(|e| e.to_string());
    let upstream = match (&p.source, &p.source_version) {
        (Some(s), Some(v)) if v != &p.version => Some(format!("{s}@{v}")),
        (Some(s), _) => Some(s.clone()),
        _ => None,
    };
    let mut qualifiers: Vec<(&str, &str)> = Vec::new();
    if let Some(a) = &p.arch {
        qualifiers.push(("arch", a));
    }
    if let Some(d) = &distro {
        qualifiers.push(("distro", d));
    }
    if let Some(e) = &epoch {
        qualifiers.push(("epoch", e));
    }
    if let Some(u) = &upstream {
        qualifiers.push(("upstream", u));
    }
    let c = Components {
        ty: Some(manager.purl_type()),
        namespace: Some(&namespace),
        name: Some(&p.name),
        version: Some(&p.version),
        qualifiers,
        subpath: None,
    };
    match Purl::build(&c) {
        Ok(purl) => purl.canonical(),
        // Package names come from package databases; a name a purl cannot hold is kept
        // percent-encoded in a generic purl rather than dropped.
        Err(_) => Purl::build(&Components {
            ty: Some("generic"),
            name: Some(&p.name.replace('/', "%2F")),
            ..c
        })
        .map(|p| p.canonical())
        .unwrap_or_else(|_| format!("pkg:generic/{}", p.name)),
    }
}

/// The purl of a language package: `pkg:npm/%40types/node@20.1.0`, `pkg:maven/org.slf4j/slf4j-api@2.0.9`,
/// `pkg:golang/golang.org/x/sys@v0.17.0`; its name and namespace normalized as the purl
/// specification says for the type (pypi lowercase with `-` for `_`, and so on).
fn language_purl(manager: Manager, p: &Package) -> String {
    let version = (!p.version.is_empty()).then_some(p.version.as_str());
    let c = Components {
        ty: Some(manager.purl_type()),
        namespace: p.namespace.as_deref().filter(|n| !n.is_empty()),
        name: Some(&p.name),
        version,
        qualifiers: Vec::new(),
        subpath: None,
    };
    // Go's standard library has no module path: `pkg:golang/stdlib@1.22.1`, as Go's
    // vulnerability database and other scanners name it.
    if manager == Manager::Go && p.name == "stdlib" && p.namespace.is_none() {
        return format!("pkg:golang/stdlib@{}", p.version);
    }
    match Purl::build(&c) {
        Ok(purl) => purl.canonical(),
        Err(_) => Purl::build(&Components {
            ty: Some("generic"),
            namespace: None,
            name: Some(&p.name.replace('/', "%2F")),
            ..c
        })
        .map(|p| p.canonical())
        .unwrap_or_else(|_| format!("pkg:generic/{}", p.name)),
    }
}

/// Dependency edges between the image's packages of one manager: a package's `depends` entry
/// names another package or something it provides. Unresolved names are left out (a
/// dependency on a package the image does not hold).
fn dependencies(components: &[Component]) -> BTreeMap<String, BTreeSet<String>> {
    // A dependency names a package as its ecosystem does: an npm scope or a Composer vendor
    // is part of the name; Python compares names normalized.
    let name = |manager: Manager, namespace: Option<&str>, name: &str| -> String {
        match (manager, namespace) {
            (Manager::Python, _) => super::analyzers::python::normalize(name),
            (Manager::Npm | Manager::Composer, Some(ns)) => format!("{ns}/{name}"),
            _ => name.to_string(),
        }
    };
    let mut by_name: HashMap<(Manager, String), &str> = HashMap::new();
    for c in components {
        let n = name(c.manager, c.package.namespace.as_deref(), &c.package.name);
        by_name.entry((c.manager, n)).or_insert(&c.bom_ref);
    }
    for c in components {
        for p in &c.package.provides {
            by_name.entry((c.manager, p.clone())).or_insert(&c.bom_ref);
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in components {
        let children = out.entry(c.bom_ref.clone()).or_default();
        for d in &c.package.depends {
            if let Some(&child) = by_name.get(&(c.manager, name(c.manager, None, d)))
                && child != c.bom_ref
            {
                children.insert(child.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            arch: Some("amd64".into()),
            ..Package::default()
        }
    }

    fn status(packages: Vec<Package>) -> Found {
        Found::Packages {
            manager: Manager::Dpkg,
            packages,
            class_path: Vec::new(),
        }
    }

    fn fragment(diff_id: &str) -> Fragment {
        Fragment {
            diff_id: diff_id.into(),
            ..Fragment::default()
        }
    }

    #[test]
    fn layers_whiteouts_and_attribution() {
        let mut base = fragment("sha256:base");
        base.files.insert(
            "usr/lib/os-release".into(),
            Found::OsRelease {
                fields: [("ID", "debian"), ("VERSION_ID", "12")]
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .into(),
            },
        );
        base.symlinks
            .insert("etc/os-release".into(), "usr/lib/os-release".into());
        base.files.insert(
            "var/lib/dpkg/status".into(),
            status(vec![pkg("libc6", "2.36-9"), pkg("openssl", "3.0.11-1")]),
        );
        base.files.insert(
            "usr/share/doc/libc6/copyright".into(),
            Found::Licenses {
                licenses: vec!["LGPL-2.1+".into()],
            },
        );
        base.files.insert(
            "var/lib/dpkg/status.d/tzdata".into(),
            status(vec![pkg("tzdata", "2024a")]),
        );
        // The second layer upgrades openssl, adds curl and deletes tzdata's status file.
        let mut top = fragment("sha256:top");
        top.files.insert(
            "var/lib/dpkg/status".into(),
            status(vec![
                pkg("libc6", "2.36-9"),
                pkg("openssl", "3.0.13-1"),
                pkg("curl", "7.88"),
            ]),
        );
        top.whiteouts.insert("var/lib/dpkg/status.d/tzdata".into());
        let s = stitch(&[&base, &top], None);
        assert_eq!(s.os.as_ref().unwrap().distro(), "debian-12");
        let got: Vec<(&str, &str)> = s
            .components
            .iter()
            .map(|c| (c.package.name.as_str(), c.layer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("curl", "sha256:top"),
                ("libc6", "sha256:base"),
                ("openssl", "sha256:top")
            ]
        );
        assert_eq!(
            s.components[1].purl,
            "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12"
        );
        assert_eq!(s.components[1].package.licenses, ["LGPL-2.1+"]);
        assert!(s.components[0].package.licenses.is_empty());

        // An opaque directory hides everything below it.
        let mut opaque = fragment("sha256:opq");
        opaque.opaque.insert("var/lib/dpkg".into());
        assert!(stitch(&[&base, &opaque], None).components.is_empty());
        let mut root = fragment("sha256:root");
        root.opaque.insert(String::new());
        assert!(stitch(&[&base, &root], None).os.is_none());
    }

    #[test]
    fn purls_and_edges() {
        let os = Os {
            id: "rhel".into(),
            version_id: Some("9.2".into()),
            ..Os::default()
        };
        let p = Package {
            name: "openssl-libs".into(),
            version: "3.0.7-18.el9_2".into(),
            epoch: Some(1),
            arch: Some("x86_64".into()),
            source: Some("openssl-3.0.7-18.el9_2.src.rpm".into()),
            ..Package::default()
        };
        assert_eq!(
            purl(Some(&os), Manager::Rpm, &p),
            "pkg:rpm/redhat/openssl-libs@3.0.7-18.el9_2?arch=x86_64&distro=rhel-9.2&epoch=1\
             &upstream=openssl-3.0.7-18.el9_2.src.rpm"
        );
        let mut gcc = pkg("libgcc-s1", "12.2.0-14");
        gcc.source = Some("gcc-12".into());
        gcc.source_version = Some("12.2.0-14".into());
        gcc.depends = vec!["libc".into()];
        let mut libc = pkg("libc6", "2.36-9");
        libc.provides = vec!["libc".into()];
        libc.source = Some("glibc".into());
        libc.source_version = Some("2.36-9+deb12u4".into());
        let mut f = fragment("sha256:l");
        f.files
            .insert("var/lib/dpkg/status".into(), status(vec![gcc, libc]));
        let s = stitch(&[&f], None);
        assert_eq!(
            s.components[0].purl,
            "pkg:deb/debian/libc6@2.36-9?arch=amd64&upstream=glibc%402.36-9%2Bdeb12u4"
        );
        assert_eq!(
            s.dependencies[&s.components[1].bom_ref]
                .iter()
                .collect::<Vec<_>>(),
            [&s.components[0].bom_ref]
        );
    }
}
