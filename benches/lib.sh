# Shared by the benchmark scripts: `time_runs LABEL CMD...` runs CMD $RUNS times under
# /usr/bin/time -v (eval'ing $BEFORE_EACH before each run, writing /usr/bin/time's report to
# $BENCH_DIR/time.txt) and prints a Markdown row: median wall time, range, peak RSS.
time_runs() {
  local label=$1; shift
  local walls=() rss=()
  for _ in $(seq "$RUNS"); do
    [ -n "${BEFORE_EACH:-}" ] && eval "$BEFORE_EACH"
    /usr/bin/time -v "$@" >/dev/null 2>"$BENCH_DIR/time.txt" || { cat "$BENCH_DIR/time.txt" >&2; exit 1; }
    walls+=("$(python3 - "$BENCH_DIR/time.txt" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", t)
h, mnt, s = m.groups()
print(int(h or 0) * 3600 + int(mnt) * 60 + float(s))
EOF
)")
    rss+=("$(grep 'Maximum resident set size' "$BENCH_DIR/time.txt" | awk '{print $6}')")
  done
  python3 - "$label" "${walls[*]}" "${rss[*]}" <<'EOF'
import statistics, sys
label, walls, rss = sys.argv[1], [float(x) for x in sys.argv[2].split()], [int(x) for x in sys.argv[3].split()]
print(f"| {label} | {statistics.median(walls):.3f} s | {min(walls):.3f}-{max(walls):.3f} s | {max(rss)/1024:.0f} MB |")
EOF
}

