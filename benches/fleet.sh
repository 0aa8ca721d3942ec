#!/usr/bin/env bash
# The fleet benchmark (benches/README.md): for each size, a lake with the corpus's OSV
# advisories and `vexlake dataset fleet --images N --seed 1`, then one `vexlake evaluate`
# under /usr/bin/time -v. Prints a Markdown table: wall time, peak memory (maximum resident
# set size) and components per second of the evaluation.
#
#   benches/fleet.sh [SIZE...]            (default: 1000 3000 10000)
#
# VEXLAKE: the binary (default: the release build under CARGO_TARGET_DIR or target/);
# BENCH_DIR: where the lakes live (default /tmp/vexlake-bench; a generated lake is kept there as
# fleet-N.pristine and reused, since the same seed gives the same lake, and each measurement
# evaluates a fresh copy of it); CORPUS: the OSV advisories (default
# ../shared/corpus/osv); EVALUATE_ARGS: more arguments for `evaluate` (e.g. --memory-limit 2G).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$here/target}
vexlake=${VEXLAKE:-$target/release/vexlake}
bench_dir=${BENCH_DIR:-/tmp/vexlake-bench}
corpus=${CORPUS:-$here/../shared/corpus/osv}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 3000 10000)

[ -x "$vexlake" ] || { echo "no vexlake binary at $vexlake: cargo build --release first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (Debian package 'time')" >&2; exit 2; }
[ -d "$corpus" ] || { echo "no advisories at $corpus (set CORPUS)" >&2; exit 2; }
mkdir -p "$bench_dir"

echo "| images | components | findings | evaluate wall | peak memory | components/s |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    lake=$bench_dir/fleet-$n
    pristine=$bench_dir/fleet-$n.pristine
    if [ ! -e "$pristine/.complete" ]; then
        rm -rf "$pristine"
        "$vexlake" --lake "$pristine" -q init >/dev/null
        "$vexlake" --lake "$pristine" -q ingest advisories "$corpus" >/dev/null 2>&1 || true
        "$vexlake" --lake "$pristine" dataset fleet --images "$n" --seed 1 >"$lake.fleet.txt" 2>&1
        touch "$pristine/.complete"
    fi
    # Every measurement is a lake's first evaluation (all its findings are new).
    rm -rf "$lake"
    cp -a "$pristine" "$lake"
    components=$("$vexlake" --lake "$lake" -q sql --format csv \
        -c "select count(*) from components where view = 'inventory'" | tail -1)
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$lake.time.txt" "$vexlake" --lake "$lake" evaluate \
        --as-of 2026-06-01T00:00:00Z ${EVALUATE_ARGS:-} >"$lake.evaluate.txt" 2>&1
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$lake.time.txt")
    seconds=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$lake.time.txt")
    findings=$(sed -n 's/.*: \([0-9]*\) findings (.*/\1/p' "$lake.evaluate.txt" | head -1)
    awk -v n="$n" -v c="$components" -v f="$findings" -v s="$seconds" -v kb="$rss_kb" 'BEGIN {
        printf "| %d | %d | %d | %.1f s | %.2f GB | %.0f |\n", n, c, f, s, kb / 1048576, c / s }'
done
