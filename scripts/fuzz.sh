#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a while: each version scheme's parser and order, and
# the package-URL parser. scripts/test.sh runs it briefly (10 s a target); run it longer by hand:
#
#   scripts/fuzz.sh 300            # five minutes a target
#   scripts/fuzz.sh 60 maven rpm   # only these targets
#
# A crash or a broken law stops the run with libFuzzer's report and the input, saved under
# fuzz/artifacts/<target>/. The corpus grows in $CARGO_TARGET_DIR/fuzz-corpus/, kept between
# runs on a machine; every run also starts from seeds made of the committed version fixtures
# and the package URLs of the sample SBOMs and the purl-spec suite.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-10}"
shift || true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vexlake/target}"
TOOLS="${VEXLAKE_TOOLS:-$HOME/.cache/vexlake/tools}"
export PATH="$TOOLS/bin:$PATH"
# cargo-fuzz's instrumentation needs unstable compiler flags; this machine's only toolchain is
# stable, which accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null; then
  echo "installing cargo-fuzz 0.13.2 into $TOOLS"
  cargo install --locked --quiet cargo-fuzz@0.13.2 --root "$TOOLS"
fi

# -s none: the code under test is safe Rust, so no sanitizer; -a: debug assertions, so that an
# arithmetic overflow is a crash too.
FLAGS=(-s none -a)
cargo fuzz build "${FLAGS[@]}"

CORPUS="$CARGO_TARGET_DIR/fuzz-corpus"
SEEDS="$(mktemp -d)"
trap 'rm -rf "$SEEDS"' EXIT
FIX=tests/fixtures/versions
seed_pairs() { # target fixture-file: one seed per "a < b" line, as "a\nb"
  mkdir -p "$SEEDS/$1"
  awk -v d="$SEEDS/$1" '!/^#/ && NF >= 3 && n < 400 { n++; printf "%s\n%s", $1, $3 > (d "/" n); close(d "/" n) }' "$2"
}
for s in semver pep440 maven dpkg rpm rubygems composer cran hackage; do seed_pairs "$s" "$FIX/$s.txt"; done
seed_pairs apk "$FIX/apk-tools-version.data"
seed_pairs nuget "$FIX/semver.txt"
seed_pairs pub "$FIX/semver.txt"
seed_pairs swift "$FIX/semver.txt"
mkdir -p "$SEEDS/purl"
grep -rhoE '"pkg:[^"]+"' datasets/sample tests/fixtures/purl-spec | tr -d '"' | sort -u |
  awk -v d="$SEEDS/purl" 'NR <= 1000 { printf "%s", $0 > (d "/" NR); close(d "/" NR) }'

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cargo fuzz list)
fi
for t in "${TARGETS[@]}"; do
  mkdir -p "$CORPUS/$t" "$SEEDS/$t"
  printf 'fuzz %-9s %3ss: ' "$t" "$SECONDS_EACH"
  log="$CARGO_TARGET_DIR/fuzz-$t.log"
  if cargo fuzz run "${FLAGS[@]}" "$t" "$CORPUS/$t" "$SEEDS/$t" -- \
      -max_total_time="$SECONDS_EACH" -print_final_stats=1 >"$log" 2>&1; then
    grep -m1 -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" || echo "done"
  else
    echo "FAILED"
    tail -n 60 "$log"
    exit 1
  fi
done
