#!/usr/bin/env python3
"""Prints the findings table as JSON rows, read by another engine than vexlake.

Usage: read_findings.py READER TABLE_DIR [VERSION]
  READER: deltalake | polars | duckdb   (duckdb reads the newest version only)
"""
import glob
import json
import os
import sys

reader, path = sys.argv[1], sys.argv[2]
version = int(sys.argv[3]) if len(sys.argv) > 3 else None
columns = ["finding_key", "verdict", "evaluated_at"]

if reader == "deltalake":
    from deltalake import DeltaTable

    table = DeltaTable(path, version=version) if version is not None else DeltaTable(path)
    data = table.to_pyarrow_table(columns=columns).to_pylist()
elif reader == "polars":
    import polars as pl

    data = pl.read_delta(path, version=version).select(columns).to_dicts()
elif reader == "duckdb":
    import duckdb
    import duckdb_extension_delta

    assert version is None, "duckdb's delta_scan reads the newest version"
    ext = glob.glob(
        os.path.join(os.path.dirname(duckdb_extension_delta.__file__), "extensions", "*", "delta.duckdb_extension")
    )[0]
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    cur = con.execute(f"SELECT {', '.join(columns)} FROM delta_scan(?)", [path])
    data = [dict(zip(columns, row)) for row in cur.fetchall()]
else:
    sys.exit(f"unknown reader {reader!r}")

rows = [
    {
        "finding_key": r["finding_key"],
        "verdict": r["verdict"],
        "evaluated_at": r["evaluated_at"].isoformat(),
    }
    for r in data
]
rows.sort(key=lambda r: r["finding_key"])
print(json.dumps(rows))
sys.stdout.flush()
# Skip interpreter teardown: pyarrow's worker threads at exit have been seen to abort the process
# ("terminate called without an active exception") after the output was complete.
os._exit(0)
