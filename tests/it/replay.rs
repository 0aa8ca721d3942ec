//! `vexlake replay`: a findings version re-run from its recorded inputs comes out identical,
//! whatever landed since; a tampered input is caught and the first difference printed.

use std::process::Command;

use crate::common::Vx;
use crate::scoring::{ZK, lake};

const AS_OF: &str = "2026-03-01T00:00:00Z";

/// Rewrites, in place, every Parquet file of the lake's `components` table: zookeeper's
/// version 3.4.10 becomes 3.4.14 (outside the advisory's range). The tamperer also fixes the
/// file sizes in the Delta log (and drops the stats there), so the table still reads.
fn tamper_components(vx: &Vx) {
    let python = std::env::var("VEXLAKE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import glob, json, os, sys
import pyarrow.compute as pc, pyarrow.parquet as pq
root = sys.argv[1] + "/components"
changed, sizes = 0, {}
for path in glob.glob(root + "/*.parquet"):
    t = pq.read_table(path)
    v = t.column("version")
    hit = pc.equal(v, "3.4.10")
    changed += pc.sum(hit).as_py() or 0
    t = t.set_column(t.schema.get_field_index("version"), "version", pc.if_else(hit, "3.4.14", v))
    pq.write_table(t, path)
    sizes[os.path.basename(path)] = os.path.getsize(path)
for log in glob.glob(root + "/_delta_log/*.json"):
    lines = []
    for line in open(log):
        action = json.loads(line)
        add = action.get("add")
        if add and add["path"] in sizes:
            add["size"] = sizes[add["path"]]
            add.pop("stats", None)
        lines.append(json.dumps(action))
    open(log, "w").write("\n".join(lines) + "\n")
print(changed)
"#;
    let out = Command::new(python)
        .args(["-c", script, &vx.lake])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1", "{out:?}");
}

#[test]
fn replay_gives_the_same_rows_and_catches_a_tampered_input() {
    let dir = tempfile::tempdir().unwrap();
    let vx = lake(dir.path());
    let first = vx.ok(&["evaluate", "--as-of", AS_OF]);
    assert!(first.contains("findings version 1: 2 findings"), "{first}");
    let out = vx.ok(&["replay", "--version", "1"]);
    assert!(
        out.contains("findings version 1: 2 rows identical"),
        "{out}"
    );

    // A second run at another clock; both versions replay, each from its own inputs.
    let second = vx.ok(&["evaluate", "--as-of", "2026-04-01T00:00:00Z"]);
    assert!(second.contains("findings version 2"), "{second}");
    for v in ["1", "2"] {
        let out = vx.ok(&["replay", "--version", v]);
        assert!(out.contains("rows identical"), "{out}");
    }

    // A tampered input table: the replay differs, and says where.
    tamper_components(&vx);
    let out = vx.expect(1, &["replay", "--version", "1"]);
    assert!(out.contains("findings version 1 differs"), "{out}");
    // zookeeper 3.4.14 is outside the advisory's range: its finding is gone from the replay.
    let zk_key = vx.sql_json(&format!(
        "select finding_key from findings_at(1) where purl = '{ZK}'"
    ))[0]["finding_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        out.contains(&format!("finding_key {zk_key} (osv) is only recorded"))
            || out.contains(&format!(
                "recorded 2 rows, replayed 1; the first only recorded: finding_key {zk_key}"
            )),
        "{out}"
    );

    // No such version, or a version no run recorded: errors (exit 2) that say why.
    let err = vx.run(&["replay", "--version", "7"]);
    assert_eq!(err.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&err.stderr).contains("findings has no evaluation version 7"),
        "{err:?}"
    );
}
