#!/usr/bin/env python3
"""Prints the findings table (at a version, else the latest) as JSON rows, via deltalake.

Usage: read_findings.py TABLE_DIR [VERSION]
"""
import json
import sys

from deltalake import DeltaTable

path = sys.argv[1]
version = int(sys.argv[2]) if len(sys.argv) > 2 else None
table = DeltaTable(path, version=version) if version is not None else DeltaTable(path)
data = table.to_pyarrow_table(columns=["finding_key", "verdict", "evaluated_at"]).to_pylist()
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
