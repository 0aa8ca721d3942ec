//! `vexlake scan` on language packages fetched from their registries at test setup
//! (`scripts/lang-fixtures.sh`): wheels from PyPI installed by pip, apps installed by npm, Yarn
//! and pnpm, Debian's Java jars (alone, nested in a war and shaded into one jar), esbuild's Go
//! binary from npm, a Rust binary built by `cargo auditable` from crates.io, Debian's Ruby
//! gems and pythonnet's .NET deps.json. What the scanner lists is compared with what each
//! ecosystem's own tool says is installed, and with Syft and Trivy. A missing fixture or tool
//! fails the test; nothing is skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

use crate::common::Vx;
use crate::scan::{cdx, gzip, layout_with, libraries, sha, syft, trivy};

/// The fixtures `scripts/lang-fixtures.sh` built.
fn fixtures() -> PathBuf {
    let dir = std::env::var_os("VEXLAKE_LANG_FIXTURES")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/vexlake/fixtures/lang-3"))
        })
        .expect("HOME or VEXLAKE_LANG_FIXTURES");
    assert!(
        dir.join(".complete").is_file(),
        "the language test image is missing in {}: run scripts/test.sh (it runs \
         scripts/lang-fixtures.sh), or set VEXLAKE_LANG_FIXTURES",
        dir.display()
    );
    dir
}

fn apps() -> String {
    format!("oci:{}:latest", fixtures().join("apps").display())
}

/// `expected/<ecosystem>`: one `name@version` a line, from the ecosystem's own tool.
fn expected(ecosystem: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixtures().join("expected").join(ecosystem)).unwrap();
    let lines: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let at = l[1..].find('@').unwrap() + 1;
            (l[..at].to_string(), l[at + 1..].to_string())
        })
        .collect();
    assert!(!lines.is_empty(), "expected/{ecosystem} is empty");
    lines
}

fn property<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    c["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)?["value"]
        .as_str()
}

/// A package as the comparisons see it: purl type, namespace/name, version. Qualifiers are
/// dropped; names are compared as their ecosystem does (PyPI's normalized).
type Key = (String, String, String);

fn key_of(purl: &str) -> Option<Key> {
    let p = vexlake_udfs::kernels::purl::Purl::parse(purl)?;
    let mut name = p.name.clone();
    if !p.namespace.is_empty() {
        name = format!("{}/{name}", p.namespace.join("/"));
    }
    if p.ty == "pypi" {
        name = name.to_lowercase().replace(['_', '.'], "-");
    }
    let mut version = p.version.clone().unwrap_or_default();
    // Go's standard library: `1.22.1` (Syft, Go's database) or `v1.22.1` (Trivy).
    if p.ty == "golang" && name == "stdlib" {
        version = version.trim_start_matches('v').to_string();
    }
    Some((p.ty.clone(), name, version))
}

/// Every package of a CycloneDX document, at any depth.
fn keys(doc: &Value) -> BTreeSet<Key> {
    fn walk(components: &Value, out: &mut BTreeSet<Key>) {
        for c in components.as_array().into_iter().flatten() {
            if let Some(k) = c["purl"].as_str().and_then(key_of) {
                out.insert(k);
            }
            walk(&c["components"], out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&doc["components"], &mut out);
    out
}

fn of_type(keys: &BTreeSet<Key>, ty: &str) -> BTreeSet<Key> {
    keys.iter().filter(|k| k.0 == ty).cloned().collect()
}

/// Each ecosystem's packages, with correct purls, as its own tool lists them: exactly those
/// for PyPI (pip), npm (npm query over the npm, Yarn and pnpm apps), Maven (the pom.properties
/// of every jar, nested and shaded ones included), Cargo (cargo tree of the Rust binary's
/// crate, whose Cargo.lock is in the image too) and RubyGems; Go's module lines and version
/// as read from esbuild's bytes. Every one carries its file and layer.
#[test]
fn each_ecosystem_lists_its_packages() {
    let doc = cdx(&apps(), &[]);
    let ours = keys(&doc);
    let purl_key = |purl: String| key_of(&purl).unwrap();
    type ToPurl = fn(&str, &str) -> String;
    let cases: [(&str, ToPurl); 5] = [
        ("pypi", |n, v| format!("pkg:pypi/{n}@{v}")),
        ("npm", |n, v| {
            format!("pkg:npm/{}@{v}", n.replace('@', "%40"))
        }),
        ("maven", |n, v| {
            format!("pkg:maven/{}@{v}", n.replacen(':', "/", 1))
        }),
        ("cargo", |n, v| format!("pkg:cargo/{n}@{v}")),
        ("gem", |n, v| format!("pkg:gem/{n}@{v}")),
    ];
    for (ty, purl) in cases {
        let want: BTreeSet<Key> = expected(ty)
            .iter()
            .map(|(n, v)| purl_key(purl(n, v)))
            .collect();
        let got = of_type(&ours, ty);
        assert_eq!(
            got,
            want,
            "{ty}: missing {:?}, not expected {:?}",
            want.difference(&got).collect::<Vec<_>>(),
            got.difference(&want).collect::<Vec<_>>()
        );
    }
    // Go: esbuild's modules and the standard library, and esbuild itself.
    let go = of_type(&ours, "golang");
    for (n, v) in expected("golang") {
        let k = purl_key(format!("pkg:golang/{n}@{v}"));
        assert!(go.contains(&k), "golang: {k:?} not in {go:?}");
    }
    assert!(
        go.iter().any(|k| k.1 == "github.com/evanw/esbuild"),
        "{go:?}"
    );

    // File evidence: the language layer (index 1), and the file that names each package.
    let libs = libraries(&doc);
    let path_of = |purl_prefix: &str| -> String {
        let c = libs
            .iter()
            .find(|c| c["purl"].as_str().unwrap().starts_with(purl_prefix))
            .unwrap_or_else(|| panic!("no {purl_prefix}"));
        assert_eq!(property(c, "vexlake:layer:index"), Some("1"), "{c}");
        property(c, "vexlake:path").unwrap().to_string()
    };
    assert_eq!(
        path_of("pkg:pypi/requests@2.31.0"),
        "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA"
    );
    assert_eq!(
        path_of("pkg:npm/express@4.18.2"),
        "srv/node-app/node_modules/express/package.json"
    );
    assert_eq!(
        path_of("pkg:golang/golang.org/x/sys@"),
        "srv/node-app/node_modules/@esbuild/linux-x64/bin/esbuild"
    );
    assert_eq!(path_of("pkg:cargo/itoa@1.0.11"), "srv/rust-app/Cargo.lock");
    // A jar nested in a war, named through the war.
    assert_eq!(
        path_of("pkg:maven/org.slf4j/slf4j-api@"),
        "srv/java/webapp.war!/WEB-INF/lib/slf4j-api.jar!/META-INF/maven/org.slf4j/slf4j-api/pom.properties"
    );
    // Both halves of the shaded jar.
    assert!(path_of("pkg:maven/commons-io/commons-io@").starts_with("srv/java/shaded.jar!/"));
    assert!(
        path_of("pkg:maven/org.apache.commons/commons-lang3@").starts_with("srv/java/shaded.jar!/")
    );
    // The Rust binary's own record (cargo auditable) and its lock file agree on a runtime
    // crate; pythonnet's deps.json names its runtime packages.
    assert!(ours.contains(&("nuget".into(), "Microsoft.CSharp".into(), "4.7.0".into())));
}

/// Per ecosystem, vexlake finds at least 95% of what Syft and Trivy each find in the same
/// image, and nothing that neither of them nor the ecosystem's own tool lists. Trivy runs
/// without its Java database (it cannot be fetched here), so jars are compared with Syft.
#[test]
fn languages_agree_with_syft_and_trivy() {
    let dir = tempfile::tempdir().unwrap();
    let layout = fixtures().join("apps");
    let ours = keys(&cdx(&apps(), &[]));
    let syft = keys(&syft(
        &format!("oci-dir:{}", layout.display()),
        dir.path(),
        "apps",
    ));
    let trivy = keys(&trivy(
        layout.to_str().unwrap(),
        dir.path(),
        "apps",
        &["--skip-files", "**/*.jar", "--skip-files", "**/*.war"],
    ));
    let mut report = BTreeMap::new();
    for ty in ["npm", "pypi", "maven", "golang", "cargo", "gem", "nuget"] {
        let mine = of_type(&ours, ty);
        assert!(!mine.is_empty(), "{ty}: vexlake lists nothing");
        for (scanner, theirs) in [("syft", &syft), ("trivy", &trivy)] {
            let theirs = of_type(theirs, ty);
            // A version-less entry (Trivy's Go main module) matches by name.
            let found = theirs
                .iter()
                .filter(|k| {
                    mine.contains(*k) || (k.2.is_empty() && mine.iter().any(|m| m.1 == k.1))
                })
                .count();
            report.insert(format!("{ty} {scanner}"), (found, theirs.len()));
            assert!(
                found * 100 >= theirs.len() * 95,
                "{ty}: {scanner} lists {}, vexlake finds {found} of them; missing {:?}",
                theirs.len(),
                theirs.difference(&mine).collect::<Vec<_>>()
            );
        }
        let invented: Vec<_> = mine
            .iter()
            .filter(|k| !syft.contains(*k) && !trivy.contains(*k))
            .collect();
        assert!(
            invented.is_empty(),
            "{ty}: found by vexlake alone: {invented:?}"
        );
    }
    eprintln!("recall (found, listed): {report:?}");
}

/// A layer tar of `(path, bytes)` files.
fn layer(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, path, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Malformed manifests, a broken binary and archives nested past the limit are each reported
/// (a reject naming the file and the reason, exit 2) and everything else in the image is
/// still listed.
#[test]
fn bad_language_files_are_reported_and_the_scan_goes_on() {
    let pom = b"groupId=org.example\nartifactId=good\nversion=1.0\n";
    let good_jar = zip(&[("META-INF/maven/org.example/good/pom.properties", pom)]);
    let mut deep = good_jar.clone();
    for _ in 0..6 {
        deep = zip(&[("inner.jar", &deep)]);
    }
    let tar = layer(&[
        (
            "app/node_modules/ok/package.json",
            br#"{"name":"ok","version":"1.0.0"}"#,
        ),
        ("app/node_modules/bad/package.json", b"{\"name\": \"bad\","),
        ("app/Cargo.lock", b"[[package]]\nname = 1\n"),
        ("app/lib/good.jar", &good_jar),
        ("app/lib/deep.jar", &deep),
        (
            "app/lib/broken.jar",
            b"PK\x03\x04 this is not a zip archive at all",
        ),
        (
            "usr/bin/broken",
            b"\x7fELF\x02\x01\x01\x00 a header and nothing after it, longer than sixty-four bytes",
        ),
        (
            "usr/lib/python3/dist-packages/x.dist-info/METADATA",
            b"Metadata-Version: 2.1\nSummary: no name\n",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("image");
    layout_with(&image, &gzip(&tar), &sha(&tar));
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ok(&["init"]);
    let out = dir.path().join("sbom.json");
    let run = vx.run(&[
        "scan",
        image.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    for (path, reason) in [
        ("app/node_modules/bad/package.json", "not JSON"),
        ("app/Cargo.lock", "not a Cargo.lock"),
        ("app/lib/deep.jar", "archives deep, not read"),
        ("app/lib/broken.jar", "not a readable zip"),
        ("usr/bin/broken", "broken ELF"),
        ("x.dist-info/METADATA", "no Name"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(path) && l.contains(reason)),
            "{path}: {reason}: {stderr}"
        );
    }
    // The rest of the image is listed.
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let purls: BTreeSet<&str> = libraries(&doc)
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        BTreeSet::from(["pkg:maven/org.example/good@1.0", "pkg:npm/ok@1.0.0"])
    );
    assert_eq!(
        vx.count("select count(*) from rejects where kind = 'image'"),
        6,
        "one reject a bad file"
    );
    assert_eq!(vx.count("select count(*) from components"), 2);
}

/// `expected/<name>`: one package name a line.
fn expected_names(name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(fixtures().join("expected").join(name)).unwrap();
    let names: BTreeSet<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    assert!(!names.is_empty(), "expected/{name} is empty");
    names
}

/// The names of a document's components of purl type `ty` (an OS package's name without its
/// distribution namespace).
fn names_of(doc: &Value, ty: &str) -> BTreeSet<String> {
    libraries(doc)
        .iter()
        .filter_map(|c| key_of(c["purl"].as_str()?))
        .filter(|k| k.0 == ty)
        .map(|k| match ty {
            "deb" | "rpm" | "apk" => k.1.rsplit('/').next().unwrap_or_default().to_string(),
            _ => k.1,
        })
        .collect()
}

/// The usage view of an image whose entrypoint (`/bin/sh -c 'exec apt-get --version'`) runs a
/// dynamically linked binary lists exactly the packages of sh and apt-get and of every library
/// the real dynamic linker loads for them (the image's own `ldd`, with `dpkg -S` naming each
/// file's package); it lands as the `usage` view, and the inventory marks each package as in
/// the closure, linked or only present.
#[test]
fn the_usage_view_is_what_the_entrypoint_runs_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sboms");
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ok(&["init"]);
    let image = format!("oci:{}:latest", fixtures().join("usage").display());
    vx.ok(&["scan", &image, "--out", &format!("{}/", out.display())]);
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(out.join(name)).unwrap()).unwrap()
    };
    let usage = read("usage.cdx.json");
    let inventory = read("inventory.cdx.json");
    let want = expected_names("usage");
    assert_eq!(names_of(&usage, "deb"), want);
    assert_eq!(libraries(&usage).len(), want.len());
    // The inventory holds more, and says of each package how the entrypoint uses it.
    let marks: BTreeMap<String, String> = libraries(&inventory)
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            (name, property(c, "vexlake:usage").unwrap().to_string())
        })
        .collect();
    assert!(marks.len() > want.len() + 50, "{}", marks.len());
    assert_eq!(marks["dash"], "closure");
    assert_eq!(marks["apt"], "closure");
    assert_eq!(marks["libc6"], "linked");
    assert_eq!(marks["libapt-pkg6.0"], "linked");
    assert_eq!(marks["bash"], "present");
    let in_view: BTreeSet<String> = marks
        .iter()
        .filter(|(_, m)| *m != "present")
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(in_view, want);
    // The lake holds both views; the usage view's rows are the usage document's packages
    // (and its operating system component, as in the inventory).
    assert_eq!(
        vx.count("select count(*) from components where view = 'usage' and purl like 'pkg:deb/%'"),
        want.len() as i64
    );
    assert_eq!(
        vx.count("select count(*) from components where view = 'usage' and purl is null"),
        1
    );
    assert_eq!(
        vx.count("select count(*) from artifacts where view = 'usage' and blob_path like '%/usage.cdx.json'"),
        1
    );
    assert_eq!(
        vx.count(
            "select count(*) from components where view = 'inventory' and purl like 'pkg:deb/%'"
        ),
        marks.len() as i64
    );
}

/// The language image's entrypoint is the Rust binary: its usage view is the crates compiled
/// into it (cargo auditable's record, build-time crates left out) and the packages of the
/// libraries it loads (ldd and dpkg -S again); esbuild, the Python and npm packages and the
/// jars, which nothing runs, are only present.
#[test]
fn a_rust_entrypoint_brings_its_crates_and_libraries() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("usage.cdx.json");
    Vx::local(dir.path()).ok(&[
        "scan",
        &apps(),
        "--no-lake",
        "--view",
        "usage",
        "--out",
        out.to_str().unwrap(),
    ]);
    let usage: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(names_of(&usage, "deb"), expected_names("usage-rs"));
    // The runtime crates: what Cargo's own tree lists less the proc-macro crates, which run
    // at build time only.
    let crates = names_of(&usage, "cargo");
    let all: BTreeSet<String> = expected("cargo").into_iter().map(|(n, _)| n).collect();
    assert!(crates.is_subset(&all), "{crates:?}");
    for build_only in [
        "proc-macro2",
        "quote",
        "syn",
        "serde_derive",
        "unicode-ident",
    ] {
        assert!(
            all.contains(build_only) && !crates.contains(build_only),
            "{build_only}"
        );
    }
    for runtime in ["itoa", "serde_json", "vexlake-fixture-rs"] {
        assert!(crates.contains(runtime), "{runtime}: {crates:?}");
    }
    for ty in ["npm", "pypi", "maven", "golang", "gem", "nuget"] {
        assert!(names_of(&usage, ty).is_empty(), "{ty} in the usage view");
    }
    let argv = usage["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "vexlake:usage:argv")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(argv, r#"["/usr/local/bin/vexlake-fixture-rs"]"#);
}

/// The policy's reachability reads the usage view: one real advisory (GHSA-7g45-4rm6-3mm3,
/// Guava before 32.0.0, from the corpus) against two scanned images holding Guava 31.1. In the
/// language image nothing runs Guava (its entrypoint is the Rust binary): `not_reachable`. In
/// an image whose entrypoint is `java -jar /app/app.jar`, a jar shading Guava's coordinates,
/// it is `reachable`.
#[test]
fn reachability_follows_the_usage_view() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ok(&["init"]);
    // A real ELF file stands in for `java`; the jar names Guava by its pom.properties.
    let java = std::fs::read("/usr/bin/true").unwrap();
    let jar = zip(&[(
        "META-INF/maven/com.google.guava/guava/pom.properties",
        b"groupId=com.google.guava\nartifactId=guava\nversion=31.1-jre\n",
    )]);
    let tar = layer(&[("usr/bin/java", &java), ("app/app.jar", &jar)]);
    let image = dir.path().join("java-app");
    layout_with(&image, &gzip(&tar), &sha(&tar));
    set_entrypoint(&image, &["java", "-jar", "/app/app.jar"]);
    vx.ok(&["scan", image.to_str().unwrap()]);
    vx.ok(&["scan", &apps()]);
    let advisories = dir.path().join("advisories");
    std::fs::create_dir_all(&advisories).unwrap();
    std::fs::copy(
        crate::common::repo()
            .join("../shared/corpus/osv/osv-scalibr-ghsa/GHSA-7g45-4rm6-3mm3.json"),
        advisories.join("GHSA-7g45-4rm6-3mm3.json"),
    )
    .unwrap();
    vx.ok(&["ingest", "advisories", advisories.to_str().unwrap()]);
    vx.ok(&["evaluate"]);
    let rows = vx.sql_json(
        "select i.entrypoint, f.reachability from findings f join images i \
         on f.image_digest = i.image_digest \
         where f.vulnerability_id = 'GHSA-7g45-4rm6-3mm3' order by f.reachability",
    );
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["entrypoint"].to_string(),
                r["reachability"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                r#"["/usr/local/bin/vexlake-fixture-rs"]"#.to_string(),
                "not_reachable".to_string()
            ),
            (
                r#"["java","-jar","/app/app.jar"]"#.to_string(),
                "reachable".to_string()
            ),
        ]
    );
}

/// Gives the one image of the layout at `dir` an entrypoint: a new config, manifest and index.
fn set_entrypoint(dir: &std::path::Path, entrypoint: &[&str]) {
    let read = |p: &std::path::Path| -> Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let blob = |digest: &str| dir.join("blobs/sha256").join(&digest[7..]);
    let mut index = read(&dir.join("index.json"));
    let manifest_digest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut manifest = read(&blob(&manifest_digest));
    let mut config = read(&blob(manifest["config"]["digest"].as_str().unwrap()));
    config["config"] = serde_json::json!({"Entrypoint": entrypoint});
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = crate::scan::put_blob(dir, &config);
    manifest["config"]["digest"] = config_digest.into();
    manifest["config"]["size"] = config.len().into();
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let manifest_digest = crate::scan::put_blob(dir, &manifest);
    index["manifests"][0]["digest"] = manifest_digest.into();
    index["manifests"][0]["size"] = manifest.len().into();
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// Binaries no package owns are listed as files with what they link: a real Windows DLL (PE)
/// and a real macOS bundle (Mach-O), PyYAML's extension modules from PyPI, their imports as
/// binutils' objdump and the Mach-O load commands say; an ELF file beside them; none of them
/// owned, as no package database or RECORD lists them.
#[test]
fn unowned_binaries_are_listed_with_what_they_link() {
    let read = |name: &str| std::fs::read(fixtures().join("binaries").join(name)).unwrap();
    let (pe, macho) = (read("_yaml.pyd"), read("_yaml.so"));
    let elf = std::fs::read("/usr/bin/true").unwrap();
    let tar = layer(&[
        ("opt/win/_yaml.pyd", &pe),
        ("opt/mac/_yaml.so", &macho),
        ("opt/linux/true", &elf),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("image");
    layout_with(&image, &gzip(&tar), &sha(&tar));
    let doc = cdx(image.to_str().unwrap(), &[]);
    let files: BTreeMap<String, &Value> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "file")
        .map(|c| (c["name"].as_str().unwrap().to_string(), c))
        .collect();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        ["/opt/linux/true", "/opt/mac/_yaml.so", "/opt/win/_yaml.pyd"]
    );
    // Compared as sets: goblin lists a PE file's imports sorted.
    let lines = |name: &str| -> BTreeSet<String> {
        std::fs::read_to_string(fixtures().join("expected").join(name))
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let needed = |f: &str| -> BTreeSet<String> {
        property(files[f], "vexlake:binary:needed")
            .unwrap_or_default()
            .split(' ')
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        property(files["/opt/win/_yaml.pyd"], "vexlake:binary:format"),
        Some("pe")
    );
    assert_eq!(needed("/opt/win/_yaml.pyd"), lines("pe"));
    assert_eq!(
        property(files["/opt/mac/_yaml.so"], "vexlake:binary:format"),
        Some("macho")
    );
    assert_eq!(needed("/opt/mac/_yaml.so"), lines("macho"));
    let true_elf = files["/opt/linux/true"];
    assert_eq!(property(true_elf, "vexlake:binary:format"), Some("elf"));
    assert!(needed("/opt/linux/true").contains("libc.so.6"));
    assert!(
        property(true_elf, "vexlake:binary:interpreter")
            .unwrap()
            .contains("ld-linux")
    );
    assert_eq!(
        property(true_elf, "vexlake:binary:build_id").map(str::len),
        Some(40),
        "a GNU build id, 20 bytes in hex"
    );
}
