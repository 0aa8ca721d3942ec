#!/usr/bin/env bash
# The full scanner's benchmark (issue: a ~300 MB image of ~2,000 components scanned in full, OS,
# languages, native binaries and the usage view, in under 5 s with under 1 GB of memory).
#
# Builds once, into BENCH_DIR (default /tmp/vexlake-bench/scan-full), from the registries:
#   layer 1  Debian 12 by mmdebstrap: minbase, Python 3, Node.js with Debian's npm (hundreds of
#            node-* packages), a Java runtime, curl and git
#   layer 2  wheels from PyPI (numpy, pandas, scipy and what they need) installed by pip; a
#            React app's node_modules installed by npm (react-scripts, about 1,300 packages);
#            Debian's jars already in layer 1
# with the entrypoint `node /srv/app/server.js`, as an OCI layout (umoci). Then, with the
# release binary (cargo build --release first) and /usr/bin/time -v, RUNS times each:
#   vexlake cold     vexlake scan LAYOUT --no-lake --out DIR (both views, every layer read)
#   trivy            trivy image --input LAYOUT --format cyclonedx, an empty cache each run
#                    (jars skipped: Trivy's Java database cannot be fetched here)
#   syft             syft oci-dir:LAYOUT -o cyclonedx-json (once; it takes a while)
# and prints a Markdown table of median wall time and peak RSS, the image's size and component
# count, and benches/compare_scanners.py per ecosystem.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR="${BENCH_DIR:-/tmp/vexlake-bench/scan-full}"
RUNS="${RUNS:-5}"
VEXLAKE="${VEXLAKE:-${CARGO_TARGET_DIR:-$HOME/.cache/vexlake/target}/release/vexlake}"
MIRROR="${VEXLAKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PY="${PYTHON:-python3}"
mkdir -p "$BENCH_DIR"
IMG="$BENCH_DIR/image"

if [ ! -f "$IMG/.complete" ]; then
  rm -rf "$IMG" && mkdir -p "$IMG" && cd "$IMG"
  echo "building the benchmark image (a few minutes)" >&2
  mmdebstrap --variant=minbase --quiet \
    --include=python3,nodejs,npm,default-jre-headless,curl,git,ca-certificates \
    bookworm rootfs.tar "$MIRROR"
  R="$IMG/root"
  mkdir -p "$R/srv/app" "$R/usr/local/lib/python3.11/dist-packages"
  "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-compile \
    --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
    --target "$R/usr/local/lib/python3.11/dist-packages" \
    numpy==1.26.4 pandas==2.2.2 scipy==1.13.1 requests==2.31.0 flask==3.0.0
  (cd "$R/srv/app" && echo '{"name":"bench-app","version":"1.0.0","private":true}' > package.json \
    && npm install -q --no-audit --no-fund --ignore-scripts react-scripts@5.0.1 express@4.18.2 >/dev/null 2>&1)
  echo 'require("express")().listen(3000)' > "$R/srv/app/server.js"
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$R" -cf apps.tar .
  rm -rf "$R"
  umoci init --layout layout
  umoci new --image layout:latest
  umoci raw add-layer --image layout:latest rootfs.tar
  umoci raw add-layer --image layout:latest apps.tar
  umoci config --image layout:latest --config.entrypoint node --config.cmd /srv/app/server.js \
    --config.workingdir /srv/app
  rm -f rootfs.tar apps.tar
  touch .complete
  cd - >/dev/null
fi
echo "image: $(du -sh --apparent-size "$IMG/layout/blobs" | cut -f1) compressed (OCI layout)" >&2

# shellcheck source=benches/lib.sh
. benches/lib.sh

OUT="$BENCH_DIR/out"
rm -rf "$OUT" && mkdir -p "$OUT"
"$VEXLAKE" scan "$IMG/layout" --no-lake --out "$OUT/" --format cdx-json 2>&1 | sed 's/^/  /' >&2
echo "| scanner | median | range | peak RSS |"
echo "| --- | ---: | ---: | ---: |"
time_runs "vexlake scan, cold (OS, languages, binaries, usage view)" \
  "$VEXLAKE" -q scan "$IMG/layout" --no-lake --out "$OUT/" --format cdx-json
if command -v trivy >/dev/null; then
  RUNS_TRIVY="${RUNS_TRIVY:-$RUNS}"
  RUNS="$RUNS_TRIVY" BEFORE_EACH="rm -rf '$BENCH_DIR/trivy-cache'" \
    time_runs "trivy $(trivy --version | head -1 | awk '{print $2}'), empty cache, jars skipped" \
    trivy image --quiet --format cyclonedx --cache-dir "$BENCH_DIR/trivy-cache" --skip-db-update \
      --offline-scan --disable-telemetry --skip-files '**/*.jar' --input "$IMG/layout" \
      --output "$OUT/trivy.cdx.json"
fi
if command -v syft >/dev/null; then
  RUNS=1 time_runs "syft $(syft version | awk '/^Version/ {print $2}') (one run)" \
    env SYFT_CHECK_FOR_APP_UPDATE=false syft -q "oci-dir:$IMG/layout" -o "cyclonedx-json=$OUT/syft.cdx.json"
fi
echo
"$PY" - "$OUT/inventory.cdx.json" "$OUT/usage.cdx.json" <<'EOF'
import collections, json, sys
inv, use = (json.load(open(p)) for p in sys.argv[1:3])
count = collections.Counter(c["purl"].split("/")[0][4:] for c in inv["components"] if c.get("purl"))
print(f"inventory: {sum(count.values())} components: " + ", ".join(f"{n} {t}" for t, n in count.most_common()))
print(f"usage view: {len(use['components'])} components")
EOF
"$PY" benches/compare_scanners.py "$OUT/inventory.cdx.json" --languages --min-recall 0.95 --quiet \
  ${OUT:+$( [ -f "$OUT/trivy.cdx.json" ] && echo "--other trivy=$OUT/trivy.cdx.json")} \
  ${OUT:+$( [ -f "$OUT/syft.cdx.json" ] && echo "--other syft=$OUT/syft.cdx.json")} || true
