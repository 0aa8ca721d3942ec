#!/usr/bin/env python3
"""The candidate join (sql/bench/candidate_join.sql) in vexlake and in DuckDB, on the same
Parquet files of one lake: both counts must be equal; prints both times and their ratio.

    python3 benches/duckdb_join.py --lake /tmp/vexlake-bench/fleet-10000 \
        --vexlake target/release/vexlake [--runs 5]

vexlake runs the query --runs times in one `vexlake sql` process (each run's time is what
`vexlake sql` reports on stderr: execution, after the lake's tables are registered); DuckDB
runs it --runs times in this process over views of the same files (the tables' newest Delta
versions, listed by the `deltalake` package). The median of each is compared. Needs the PyPI
packages `duckdb` and `deltalake` (benches/setup.sh installs them).
"""

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

import deltalake
import duckdb

QUERY = pathlib.Path(__file__).resolve().parent.parent / "sql" / "bench" / "candidate_join.sql"
TABLES = ("components", "advisory_affected")


def vexlake_runs(binary: str, lake: str, query: str, runs: int):
    statements = ";\n".join([query.strip().rstrip(";")] * runs)
    done = subprocess.run(
        [binary, "--lake", lake, "sql", "--format", "csv", f"--command={statements}"],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"vexlake sql failed ({done.returncode}): {done.stderr.strip()}")
    counts = [int(line) for line in done.stdout.split() if line.isdigit()]
    times = [float(m) for m in re.findall(r"row\(s\) in ([0-9.]+) ms", done.stderr)]
    if len(counts) != runs or len(times) != runs:
        sys.exit(f"vexlake sql printed {len(counts)} counts and {len(times)} times for "
                 f"{runs} runs:\n{done.stdout}\n{done.stderr}")
    return counts, times


def duckdb_runs(lake: str, query: str, runs: int):
    con = duckdb.connect()
    for table in TABLES:
        files = deltalake.DeltaTable(f"{lake}/{table}").file_uris()
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({files!r})")
    counts, times = [], []
    for _ in range(runs):
        started = time.perf_counter()
        (count,) = con.execute(query).fetchone()
        times.append((time.perf_counter() - started) * 1000.0)
        counts.append(count)
    return counts, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lake", required=True, help="a lake directory")
    parser.add_argument("--vexlake", required=True, help="the vexlake binary (a release build)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    query = QUERY.read_text()

    v_counts, v_times = vexlake_runs(args.vexlake, args.lake, query, args.runs)
    d_counts, d_times = duckdb_runs(args.lake, query, args.runs)
    v_med, d_med = statistics.median(v_times), statistics.median(d_times)
    print(f"lake {args.lake}: candidate join, median of {args.runs} runs")
    print(f"  vexlake (DataFusion) {v_med:9.1f} ms  rows {v_counts[0]}  runs {v_times}")
    print(f"  DuckDB {duckdb.__version__:>12} {d_med:9.1f} ms  rows {d_counts[0]}  runs "
          f"{[round(t, 1) for t in d_times]}")
    print(f"  vexlake / DuckDB: {v_med / d_med:.2f}")
    if len(set(v_counts + d_counts)) != 1:
        sys.exit(f"the engines disagree: vexlake {v_counts}, DuckDB {d_counts}")


if __name__ == "__main__":
    main()
