//! vexlake's version order against each ecosystem's own tool: every line of
//! `tests/fixtures/versions/<scheme>.txt` (written by `make_fixtures.py` with dpkg, rpm,
//! Maven's ComparableVersion, node-semver, Python packaging, RubyGems, Composer with PHP, R and
//! Cabal) must hold both ways.

use std::cmp::Ordering;
use std::path::Path;

use vexlake_udfs::kernels::versions::{Scheme, compare};

fn check(scheme: Scheme) -> (usize, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/versions")
        .join(format!("{scheme}.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let parts: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = parts[..] else {
            panic!("{}: bad line {line:?}", path.display())
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            _ => panic!("{}: bad operator in {line:?}", path.display()),
        };
        checked += 1;
        let got = (compare(scheme, a, b), compare(scheme, b, a));
        if got != (Some(want), Some(want.reverse())) {
            wrong.push(format!(
                "{line}  (vexlake: {:?}, reversed {:?})",
                got.0, got.1
            ));
        }
    }
    (checked, wrong)
}

fn assert_agrees(scheme: Scheme) {
    let (checked, wrong) = check(scheme);
    assert!(checked > 1000, "{scheme}: only {checked} pairs");
    assert!(
        wrong.is_empty(),
        "{scheme}: {} of {checked} pairs disagree with the native tool:\n{}",
        wrong.len(),
        wrong
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn hackage_agrees_with_cabal() {
    assert_agrees(Scheme::Hackage);
}

#[test]
fn semver_agrees_with_node_semver() {
    assert_agrees(Scheme::Semver);
}

#[test]
fn pep440_agrees_with_python_packaging() {
    assert_agrees(Scheme::Pep440);
}

#[test]
fn maven_agrees_with_comparable_version() {
    assert_agrees(Scheme::Maven);
}

#[test]
fn dpkg_agrees_with_dpkg() {
    assert_agrees(Scheme::Dpkg);
}

#[test]
fn rpm_agrees_with_rpm() {
    assert_agrees(Scheme::Rpm);
}

#[test]
fn rubygems_agrees_with_gem_version() {
    assert_agrees(Scheme::RubyGems);
}

/// The cheap fixtures cannot drift: a seeded sample of dpkg's lines is asked of dpkg again, and
/// every PEP 440 line of Python's `packaging` (both installed by scripts/test.sh on this machine
/// kind). A missing tool fails the test.
#[test]
fn fixtures_still_match_the_native_tools() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/versions");
    let lines = |name: &str| -> Vec<String> {
        std::fs::read_to_string(dir.join(name))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let dpkg = lines("dpkg.txt");
    for line in dpkg.iter().step_by(dpkg.len() / 60) {
        let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("bad line {line}")
        };
        let rel = if op == "<" { "lt" } else { "eq" };
        let ok = std::process::Command::new("dpkg")
            .args(["--compare-versions", a, rel, b])
            .status()
            .expect("dpkg must be installed")
            .success();
        assert!(ok, "dpkg no longer says {line}");
    }
    let script = "import sys\nfrom packaging.version import Version as V\nbad = [l for l in sys.stdin.read().splitlines() if not (V(l.split(' ')[0]) < V(l.split(' ')[2]) if l.split(' ')[1] == '<' else V(l.split(' ')[0]) == V(l.split(' ')[2]))]\nprint(len(bad)); print('\\n'.join(bad[:10]))";
    let python = std::env::var("VEXLAKE_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 must be installed");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines("pep440.txt").join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python packaging is missing (scripts/test.sh installs it)"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("0"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn composer_agrees_with_composer_semver_and_php() {
    assert_agrees(Scheme::Composer);
}

#[test]
fn cran_agrees_with_r_package_version() {
    assert_agrees(Scheme::Cran);
}

/// apk-tools' own test vectors (`test/version.data`, cited in tests/fixtures/SOURCES.md): every
/// pair vexlake can read must agree, and only the few versions apk itself calls invalid
/// (unknown suffixes such as `_foo`, a letter run like `1.0bc`) may be unreadable.
#[test]
fn apk_agrees_with_apk_tools_test_vectors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/versions/apk-tools-version.data");
    let text = std::fs::read_to_string(path).unwrap();
    let (mut checked, mut unreadable, mut wrong) = (0, Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.contains('#') && !l.is_empty()) {
        let [a, op, b] = line.split(' ').collect::<Vec<_>>()[..] else {
            panic!("bad line {line:?}")
        };
        let want = match op {
            "<" => Ordering::Less,
            ">" => Ordering::Greater,
            _ => Ordering::Equal,
        };
        match compare(Scheme::Apk, a, b) {
            None => unreadable.push(line.to_string()),
            Some(got) => {
                checked += 1;
                if got != want {
                    wrong.push(format!("{line}  (vexlake: {got:?})"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked > 700, "only {checked} pairs read");
    assert!(unreadable.len() <= 2, "unreadable: {unreadable:?}");
}
