//! VEX consensus on the K4 lattice and the evaluation's VEX gate, end to end: issuers from the
//! directory file, conflicts kept with the vendor winning, aliases, subcomponents, qualifiers,
//! BOM-Links, version ranges, statement history, and DSSE signatures made by openssl.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{AS_OF, Vx, repo};

fn corpus(rel: &str) -> PathBuf {
    let path = repo().join("../shared/corpus").join(rel);
    assert!(path.exists(), "{} is missing", path.display());
    path
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

fn openvex(author: &str, timestamp: &str, statements: Value) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://example.test/vex/{author}/{timestamp}"),
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "statements": statements
    })
}

const SERIAL: &str = "urn:uuid:5f1c9a36-2d44-4a4e-9d1b-0d6f0c1e7a11";
const IMAGE: &str = "sha256:9b2f1c0e5d7a4b3c8e6f1a2d3c4b5a697887960a5b4c3d2e1f00112233445566";

/// A container image's SBOM (its subject an OCI purl with the digest): junit and zookeeper again.
fn image_sbom() -> Value {
    let c = |r: &str, purl: &str| json!({"type": "library", "bom-ref": r, "name": r, "purl": purl});
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "container", "name": "app-image",
                                   "purl": format!("pkg:oci/app-image@{}", IMAGE.replace(':', "%3A"))}},
        "components": [
            c("junit", "pkg:maven/junit/junit@4.12"),
            c("zk", "pkg:maven/org.apache.zookeeper/zookeeper@3.4.10")
        ]
    })
}

/// An application SBOM (CycloneDX 1.5) whose packages real GHSA advisories of the corpus
/// affect, and a Debian openssl in two distribution releases.
fn sbom() -> Value {
    let c = |r: &str, purl: &str| json!({"type": "library", "bom-ref": r, "name": r, "purl": purl});
    json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "serialNumber": SERIAL,
        "metadata": {"component": {"type": "application", "bom-ref": "app", "name": "app",
                                   "version": "1.0", "purl": "pkg:maven/acme/app@1.0"}},
        "components": [
            c("junit", "pkg:maven/junit/junit@4.12"),
            c("jackson", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5"),
            c("pdfbox", "pkg:maven/org.apache.pdfbox/pdfbox@2.0.20"),
            c("zk", "pkg:maven/org.apache.zookeeper/zookeeper@3.4.10"),
            c("netty", "pkg:maven/io.netty/netty-codec-http@4.1.50.Final"),
            c("ssl12", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"),
            c("ssl11", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-11")
        ]
    })
}

/// A lake with the SBOM, five real GHSA records, one OSV record for Debian's openssl (written
/// here: the corpus has no Debian records), the issuer directory and the VEX documents.
fn lake(dir: &Path) -> Vx {
    let vx = Vx::local(&dir.join("lake"));
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(inputs.join("advisories")).unwrap();
    std::fs::create_dir_all(inputs.join("vex")).unwrap();
    write(&inputs, "app.cdx.json", &sbom());
    write(&inputs, "image.cdx.json", &image_sbom());
    for id in [
        "GHSA-269g-pwp5-87pp", // junit 4.7..4.13.1, CVE-2020-15250
        "GHSA-27xj-rqx5-2255", // jackson-databind 2.9.0..2.9.10.4, CVE-2020-11619
        "GHSA-2h3j-m7gr-25xj", // pdfbox 2.0.0..2.0.23, CVE-2021-27807
        "GHSA-2hw2-62cp-p9p7", // zookeeper 1.0.0..3.4.14, CVE-2019-0201
        "GHSA-269q-hmxg-m83q", // netty-codec-http <4.1.77.Final, CVE-2021-21290
    ] {
        std::fs::copy(
            corpus(&format!("osv/osv-scalibr-ghsa/{id}.json")),
            inputs.join("advisories").join(format!("{id}.json")),
        )
        .unwrap();
    }
    write(
        &inputs.join("advisories"),
        "DEBIAN-CVE-2023-5678.json",
        &json!({
            "schema_version": "1.6.0", "id": "DEBIAN-CVE-2023-5678",
            "modified": "2024-01-01T00:00:00Z", "upstream": ["CVE-2023-5678"],
            "affected": [{"package": {"ecosystem": "Debian", "name": "openssl"},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}]}]
        }),
    );
    std::fs::write(
        inputs.join("issuers.toml"),
        r#"
[[issuer]]
id = "acme"
name = "Acme Inc"
category = "vendor"
aliases = ["Acme PSIRT"]

[[issuer]]
id = "debian"
name = "Debian Security Team"
category = "distro"
"#,
    )
    .unwrap();
    let v = inputs.join("vex");
    write(
        &v,
        "acme.json",
        &openvex(
            "Acme PSIRT",
            "2026-05-01T00:00:00Z",
            json!([
                // By CVE id, about a subcomponent of the application: the GHSA advisory's alias.
                {"vulnerability": {"name": "CVE-2020-15250"},
                 "products": [{"@id": "pkg:maven/acme/app@1.0",
                               "subcomponents": [{"@id": "pkg:maven/junit/junit@4.12"}]}],
                 "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
                {"vulnerability": {"name": "CVE-2020-11619"},
                 "products": [{"@id": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5"}],
                 "status": "not_affected", "justification": "vulnerable_code_not_present"},
                // The issue's own example: a statement with fewer qualifiers than the component.
                {"vulnerability": {"name": "CVE-2023-5678"},
                 "products": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"}],
                 "status": "fixed"},
                // The image by digest: the whole image, and a subcomponent of it.
                {"vulnerability": {"name": "CVE-2019-0201"},
                 "products": [{"@id": format!("pkg:oci/app-image@{}", IMAGE.replace(':', "%3A"))}],
                 "status": "fixed"},
                {"vulnerability": {"name": "CVE-2020-15250"},
                 "products": [{"@id": format!("pkg:oci/app-image@{}", IMAGE.replace(':', "%3A")),
                               "subcomponents": [{"@id": "pkg:maven/junit/junit@4.12"}]}],
                 "status": "affected"},
                // A versioned statement about another version says nothing about 4.1.50.Final.
                {"vulnerability": {"name": "CVE-2021-21290"},
                 "products": [{"@id": "pkg:maven/io.netty/netty-codec-http@4.1.77.Final"}],
                 "status": "fixed"}
            ]),
        ),
    );
    write(
        &v,
        "researcher.json",
        &openvex(
            "Jane Researcher",
            "2026-05-20T00:00:00Z",
            json!([
                {"vulnerability": {"name": "GHSA-27xj-rqx5-2255"},
                 "products": [{"@id": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5"}],
                 "status": "affected", "action_statement": "upgrade to 2.9.10.4"},
                // A versionless product: every version of netty-codec-http.
                {"vulnerability": {"name": "CVE-2021-21290"},
                 "products": [{"@id": "pkg:maven/io.netty/netty-codec-http"}],
                 "status": "affected"}
            ]),
        ),
    );
    // CycloneDX VEX: pdfbox in triage by a version entry; zookeeper by a BOM-Link into the SBOM.
    write(
        &v,
        "cdx.json",
        &json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"timestamp": "2026-05-10T00:00:00Z",
                         "manufacturer": {"name": "Acme Inc"},
                         "component": {"type": "application", "bom-ref": "p", "name": "pdfbox",
                                       "purl": "pkg:maven/org.apache.pdfbox/pdfbox"}},
            "vulnerabilities": [
                {"id": "CVE-2021-27807", "analysis": {"state": "in_triage"},
                 "affects": [{"ref": "p", "versions": [
                     {"range": "vers:maven/>=2.0.0|<2.0.23", "status": "unknown"}]}]},
                {"id": "CVE-2019-0201",
                 "analysis": {"state": "not_affected", "justification": "requires_configuration"},
                 "affects": [{"ref": format!("urn:cdx:{}/1#zk", &SERIAL[9..])}]}
            ]
        }),
    );
    vx.ok(&[
        "ingest",
        "sbom",
        inputs.join("app.cdx.json").to_str().unwrap(),
        inputs.join("image.cdx.json").to_str().unwrap(),
    ]);
    vx.ok(&[
        "ingest",
        "advisories",
        inputs.join("advisories").to_str().unwrap(),
    ]);
    vx.ok(&[
        "ingest",
        "vex",
        "--issuers",
        inputs.join("issuers.toml").to_str().unwrap(),
        v.to_str().unwrap(),
    ]);
    vx
}

/// The finding of `package`'s `vulnerability` (GHSA id) in the application SBOM, as JSON.
fn finding(vx: &Vx, purl: &str, vulnerability: &str) -> Value {
    finding_in(vx, "image_digest is null", purl, vulnerability)
}

/// The finding of `package`'s `vulnerability` among the findings `subject` (SQL) selects.
fn finding_in(vx: &Vx, subject: &str, purl: &str, vulnerability: &str) -> Value {
    let rows = vx.sql_json(&format!(
        "select verdict, vex_status, vex_issuer, k4, explained_trace, vex_statement_ids \
         from findings where purl = '{purl}' and vulnerability_id = '{vulnerability}' \
         and {subject}"
    ));
    assert_eq!(
        rows.len(),
        1,
        "{purl} {vulnerability}: {rows:?}\n{:?}",
        vx.sql_json(&format!(
            "select subject, image_digest, verdict from findings where purl = '{purl}'"
        ))
    );
    rows[0].clone()
}

#[test]
fn the_k4_join_of_affected_and_not_affected_is_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    let rows = vx.sql_json(
        "select k4_label(k4_join(k4_from_vex(s))) as k from (values ('affected'), ('not_affected')) t(s)",
    );
    assert_eq!(rows, vec![json!({"k": "conflict"})]);
}

#[test]
fn consensus_keeps_conflicts_and_the_vendor_wins() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    // The issuers table holds the directory.
    let issuers = vx.sql_json("select issuer_id, category, trust from issuers order by issuer_id");
    assert_eq!(
        issuers,
        vec![
            json!({"issuer_id": "acme", "category": "vendor", "trust": 1.0}),
            json!({"issuer_id": "debian", "category": "distro", "trust": 0.9})
        ]
    );
    // The vendor's not_affected (as "Acme PSIRT", an alias) against a community affected (an
    // issuer the directory does not know), about the same package version: a conflict, kept,
    // with the vendor winning. The researcher spoke of the GHSA id, the vendor of its CVE: the
    // advisory's aliases bring them together under both ids.
    for id in ["CVE-2020-11619", "GHSA-27xj-rqx5-2255"] {
        let rows = vx.sql_json(&format!(
            "select k4, status, conflict, winner_issuer, winner_category, sides, \
                    cardinality(statement_ids) as n \
             from vex_consensus where vulnerability_id = '{id}' \
               and product_key = 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5'"
        ));
        assert_eq!(
            rows,
            vec![json!({
                "k4": 3, "status": "not_affected", "conflict": true,
                "winner_issuer": "acme", "winner_category": "vendor",
                "sides": ["affected by Jane Researcher", "not_affected by acme"], "n": 2
            })],
            "{id}"
        );
    }
    // The finding: WARN, with both sides and the disposition in its trace.
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    let f = finding(
        &vx,
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.5",
        "GHSA-27xj-rqx5-2255",
    );
    assert_eq!(f["verdict"], "WARN", "{f}");
    assert_eq!(f["vex_status"], "conflict");
    assert_eq!(f["vex_issuer"], "acme");
    assert_eq!(f["k4"], 3);
    let trace = f["explained_trace"].to_string();
    assert!(
        trace.contains("vex:conflict (affected by Jane Researcher; not_affected by acme); disposition not_affected by acme"),
        "{trace}"
    );
}

#[test]
fn the_vex_gate_follows_the_consensus() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    vx.ok(&["evaluate", "--as-of", AS_OF]);
    // A vendor's not_affected about a subcomponent of the SBOM's application, by the CVE alias
    // of the GHSA advisory: PASS, with the evidence.
    let junit = finding(&vx, "pkg:maven/junit/junit@4.12", "GHSA-269g-pwp5-87pp");
    assert_eq!(junit["verdict"], "PASS", "{junit}");
    assert_eq!(junit["vex_status"], "not_affected");
    assert_eq!(junit["k4"], 2);
    assert!(
        junit["explained_trace"]
            .to_string()
            .contains("vex:not_affected by acme")
    );
    // CycloneDX VEX, a version range in triage: WARN with the status.
    let pdfbox = finding(
        &vx,
        "pkg:maven/org.apache.pdfbox/pdfbox@2.0.20",
        "GHSA-2h3j-m7gr-25xj",
    );
    assert_eq!(pdfbox["verdict"], "WARN", "{pdfbox}");
    assert_eq!(pdfbox["vex_status"], "under_investigation");
    // CycloneDX VEX through a BOM-Link to the SBOM's component: PASS.
    let zk = finding(
        &vx,
        "pkg:maven/org.apache.zookeeper/zookeeper@3.4.10",
        "GHSA-2hw2-62cp-p9p7",
    );
    assert_eq!(zk["verdict"], "PASS", "{zk}");
    assert_eq!(zk["vex_issuer"], "acme");
    // The image by its digest: the whole image is fixed; its junit is affected as a
    // subcomponent of the image, which says nothing about the application SBOM's junit (PASS
    // above).
    let in_image = format!("image_digest = '{IMAGE}'");
    let zk = finding_in(
        &vx,
        &in_image,
        "pkg:maven/org.apache.zookeeper/zookeeper@3.4.10",
        "GHSA-2hw2-62cp-p9p7",
    );
    assert_eq!(
        (zk["verdict"].as_str(), zk["vex_status"].as_str()),
        (Some("PASS"), Some("fixed")),
        "{zk}"
    );
    let junit = finding_in(
        &vx,
        &in_image,
        "pkg:maven/junit/junit@4.12",
        "GHSA-269g-pwp5-87pp",
    );
    assert_eq!(junit["vex_status"], "affected", "{junit}");
    assert_eq!(junit["k4"], 1);
    assert_ne!(junit["verdict"], "PASS");
    // A versionless statement applies to every version; a statement about another version
    // (the vendor's "fixed" for 4.1.77.Final) does not apply to 4.1.50.Final.
    let netty = finding(
        &vx,
        "pkg:maven/io.netty/netty-codec-http@4.1.50.Final",
        "GHSA-269q-hmxg-m83q",
    );
    assert_eq!(netty["vex_status"], "affected", "{netty}");
    assert_eq!(netty["vex_issuer"], "Jane Researcher");
    assert_eq!(netty["vex_statement_ids"].as_array().map(Vec::len), Some(1));
    assert_ne!(netty["verdict"], "PASS");
    // Qualifiers: the statement for ?distro=debian-12 applies to ?arch=amd64&distro=debian-12
    // and not to the debian-11 package.
    let ssl12 = finding(
        &vx,
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        "DEBIAN-CVE-2023-5678",
    );
    assert_eq!(ssl12["verdict"], "PASS", "{ssl12}");
    assert_eq!(ssl12["vex_status"], "fixed");
    let ssl11 = finding(
        &vx,
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-11",
        "DEBIAN-CVE-2023-5678",
    );
    assert!(ssl11["vex_status"].is_null(), "{ssl11}");
}

#[test]
fn an_issuers_newer_statement_supersedes_its_older_one() {
    // vexctl's merge fixtures: John Doe says under_investigation at 16:36 and fixed at 20:56.
    let dir = tempfile::tempdir().unwrap();
    let vx = Vx::local(dir.path());
    vx.ok(&[
        "ingest",
        "vex",
        corpus("openvex/vexctl/testdata/v001-1.vex.json")
            .to_str()
            .unwrap(),
        corpus("openvex/vexctl/testdata/v001-2.vex.json")
            .to_str()
            .unwrap(),
    ]);
    let rows = vx.sql_json(
        "select c.status, c.k4, c.winner_timestamp, cardinality(c.statement_ids) as n, \
                s.status as winner_status \
         from vex_consensus c join vex_statements s on s.statement_id = c.winner_statement_id \
         where c.vulnerability_id = 'CVE-1234-5678' and c.product_key = 'pkg:apk/wolfi/bash@1.0.0'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "fixed");
    assert_eq!(rows[0]["winner_status"], "fixed");
    assert_eq!(rows[0]["k4"], 2);
    assert_eq!(rows[0]["n"], 1);
    assert_eq!(
        vx.count("select count(*) from vex_statements where vulnerability_id = 'CVE-1234-5678'"),
        2
    );
}

// ---- DSSE signatures, made by openssl ----

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// DSSE's pre-authentication encoding, written out from the protocol text.
fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

fn b64(bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("openssl")
        .args(["base64", "-A"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

/// An envelope of `payload` signed by the private key `key` (ed25519 or P-256).
fn envelope(dir: &Path, key: &Path, ed25519: bool, payload_type: &str, payload: &[u8]) -> Value {
    let message = dir.join("pae.bin");
    std::fs::write(&message, pae(payload_type, payload)).unwrap();
    let sig = dir.join("sig.bin");
    let (k, m, s) = (
        key.to_str().unwrap(),
        message.to_str().unwrap(),
        sig.to_str().unwrap(),
    );
    if ed25519 {
        openssl(&[
            "pkeyutl", "-sign", "-inkey", k, "-rawin", "-in", m, "-out", s,
        ]);
    } else {
        openssl(&["dgst", "-sha256", "-sign", k, "-out", s, m]);
    }
    json!({
        "payloadType": payload_type,
        "payload": b64(payload),
        "signatures": [{"keyid": "", "sig": b64(&std::fs::read(&sig).unwrap())}]
    })
}

/// The sha256 fingerprint of a PEM public key's DER, as openssl computes it.
fn fingerprint(dir: &Path, pubkey: &Path) -> String {
    let der = dir.join("der.bin");
    let d = der.to_str().unwrap();
    openssl(&[
        "pkey",
        "-pubin",
        "-in",
        pubkey.to_str().unwrap(),
        "-outform",
        "DER",
        "-out",
        d,
    ]);
    let out = String::from_utf8(openssl(&["dgst", "-sha256", "-r", d])).unwrap();
    format!("sha256:{}", out.split_whitespace().next().unwrap())
}

#[test]
fn signatures_are_verified_invalid_or_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let roots = d.join("roots");
    let docs = d.join("docs");
    std::fs::create_dir_all(&roots).unwrap();
    std::fs::create_dir_all(&docs).unwrap();
    let (ed, ec, stranger) = (d.join("ed.key"), d.join("ec.key"), d.join("stranger.key"));
    openssl(&[
        "genpkey",
        "-algorithm",
        "ed25519",
        "-out",
        ed.to_str().unwrap(),
    ]);
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        ec.to_str().unwrap(),
    ]);
    openssl(&[
        "genpkey",
        "-algorithm",
        "ed25519",
        "-out",
        stranger.to_str().unwrap(),
    ]);
    for (key, name) in [(&ed, "vendor-ed25519.pub"), (&ec, "distro-p256.pem")] {
        let out = roots.join(name);
        openssl(&[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-out",
            out.to_str().unwrap(),
        ]);
    }
    // One statement per document, each about its own version so that each is its own
    // consensus row and reports its own trust.
    let statement = |author: &str, version: &str, status: &str| {
        serde_json::to_vec(&openvex(
            author,
            "2026-05-01T00:00:00Z",
            json!([{"vulnerability": {"name": "CVE-2024-0001"},
                    "products": [{"@id": format!("pkg:npm/left-pad@{version}")}],
                    "status": status}]),
        ))
        .unwrap()
    };
    const OPENVEX: &str = "application/vnd.openvex+json";
    let vendor = statement("Acme Inc", "1.3.0", "not_affected");
    write(
        &docs,
        "1-ed25519.json",
        &envelope(d, &ed, true, OPENVEX, &vendor),
    );
    // An in-toto statement around OpenVEX, as `vexctl attest` makes, signed with P-256.
    let intoto = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://openvex.dev/ns",
        "subject": [{"name": "left-pad", "digest": {"sha256": "00"}}],
        "predicate": serde_json::from_slice::<Value>(
            &statement("Debian Security Team", "1.3.1", "not_affected")).unwrap(),
    }))
    .unwrap();
    write(
        &docs,
        "2-p256.json",
        &envelope(d, &ec, false, "application/vnd.in-toto+json", &intoto),
    );
    // Tampered: signed, then the payload changed to "affected".
    let mut tampered = envelope(d, &ed, true, OPENVEX, &vendor);
    tampered["payload"] = json!(b64(&statement("Acme Inc", "1.3.0", "affected")));
    write(&docs, "3-tampered.json", &tampered);
    // Signed by a key the trust roots do not hold.
    let other = statement("Mallory", "1.3.0", "affected");
    write(
        &docs,
        "4-stranger.json",
        &envelope(d, &stranger, true, OPENVEX, &other),
    );
    write(
        &docs,
        "5-plain.json",
        &serde_json::from_slice::<Value>(&statement("Jane Researcher", "1.3.2", "not_affected"))
            .unwrap(),
    );
    std::fs::write(
        d.join("issuers.toml"),
        "[[issuer]]\nid = \"acme\"\nname = \"Acme Inc\"\ncategory = \"vendor\"\n\
         keys = [\"roots/vendor-ed25519.pub\"]\n",
    )
    .unwrap();

    let vx = Vx::local(&d.join("lake"));
    let out = vx.ok(&[
        "ingest",
        "vex",
        "--trust-roots",
        roots.to_str().unwrap(),
        "--issuers",
        d.join("issuers.toml").to_str().unwrap(),
        docs.to_str().unwrap(),
    ]);
    assert!(out.contains("landed 5"), "{out}");
    let got: Vec<(String, String, Value)> = vx
        .sql_json(
            "select source_path, signature_state, signature_key from vex_statements \
             order by source_path",
        )
        .iter()
        .map(|r| {
            let path = Path::new(r["source_path"].as_str().unwrap());
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let state = r["signature_state"].as_str().unwrap().to_string();
            (name, state, r["signature_key"].clone())
        })
        .collect();
    let ed_fp = fingerprint(d, &roots.join("vendor-ed25519.pub"));
    let ec_fp = fingerprint(d, &roots.join("distro-p256.pem"));
    assert_eq!(
        got,
        vec![
            ("1-ed25519.json".into(), "verified".into(), json!(ed_fp)),
            ("2-p256.json".into(), "verified".into(), json!(ec_fp)),
            ("3-tampered.json".into(), "invalid".into(), Value::Null),
            ("4-stranger.json".into(), "invalid".into(), Value::Null),
            ("5-plain.json".into(), "unsigned".into(), Value::Null),
        ]
    );
    // The issuer directory holds the vendor's key by its fingerprint.
    assert_eq!(
        vx.sql_json("select keys from issuers"),
        vec![json!({"keys": [ed_fp]})]
    );
    // Invalid statements stay out of the consensus: the two "affected" about 1.3.0 do not count.
    let rows = vx.sql_json(
        "select product_key, k4, conflict, winner_issuer, cardinality(statement_ids) as n, trust \
         from vex_consensus where vulnerability_id = 'CVE-2024-0001' order by product_key",
    );
    let summary: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!([
                r["product_key"],
                r["k4"],
                r["conflict"],
                r["winner_issuer"],
                r["n"]
            ])
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            json!(["pkg:npm/left-pad@1.3.0", 2, false, "acme", 1]),
            json!([
                "pkg:npm/left-pad@1.3.1",
                2,
                false,
                "Debian Security Team",
                1
            ]),
            json!(["pkg:npm/left-pad@1.3.2", 2, false, "Jane Researcher", 1]),
        ]
    );
    // Trust = issuer trust × (0.45·P + 0.35·C + 0.20·R) × freshness; same time, so the same
    // freshness; C = 0.75 (a version), R = 1. P: 1.0 verified with the issuer's own key (acme,
    // vendor, trust 1.0), 0.75 verified with another trusted key (Debian, not in this
    // directory: community, 0.5), 0.40 unsigned (community, 0.5).
    let t: Vec<f64> = rows.iter().map(|r| r["trust"].as_f64().unwrap()).collect();
    let base = |p: f64| 0.45 * p + 0.35 * 0.75 + 0.20;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
    assert!(t.iter().all(|x| *x > 0.0), "{t:?}");
    assert!(close(t[0] / t[1], base(1.0) / (0.5 * base(0.75))), "{t:?}");
    assert!(close(t[1] / t[2], base(0.75) / base(0.40)), "{t:?}");
}

#[test]
fn bad_trust_roots_and_issuer_files_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vx = Vx::local(&d.join("lake"));
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = vx.run(&[
        "ingest",
        "vex",
        "--trust-roots",
        empty.to_str().unwrap(),
        d.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no *.pem or *.pub public key files"), "{err}");
    std::fs::write(empty.join("junk.pem"), "hello").unwrap();
    let out = vx.run(&[
        "ingest",
        "vex",
        "--trust-roots",
        empty.to_str().unwrap(),
        d.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("junk.pem") && err.contains("PUBLIC KEY"),
        "{err}"
    );
    let issuers = d.join("issuers.toml");
    std::fs::write(&issuers, "[[issuer]]\nid = \"x\"\ncategory = \"friend\"\n").unwrap();
    let out = vx.run(&["ingest", "vex", "--issuers", issuers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("issuers.toml") && err.contains("friend"),
        "{err}"
    );
    std::fs::write(
        &issuers,
        "[[issuer]]\nid = \"x\"\ncategory = \"vendor\"\ntrust = 1.5\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(
        &vx.run(&["ingest", "vex", "--issuers", issuers.to_str().unwrap()])
            .stderr,
    )
    .to_string();
    assert!(err.contains("trust 1.5 is outside 0..1"), "{err}");
}
