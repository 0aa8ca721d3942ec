#!/usr/bin/env bash
# Builds the language scanners' test image from real packages fetched from their registries,
# into DIR (default ~/.cache/vexlake/fixtures/lang-3), once: a later run finds DIR/.complete and
# does nothing. tests/it/scan_lang.rs reads it from $VEXLAKE_LANG_FIXTURES (scripts/test.sh
# sets it).
#
#   apps/            an OCI image layout, tag :latest: the Debian 12 base of the scanner
#                    fixtures (scripts/scan-fixtures.sh) plus one layer holding
#     usr/local/lib/python3.11/site-packages/   wheels from PyPI installed by pip (dist-info,
#                                               RECORD), pythonnet's .NET deps.json among them
#     srv/node-app/    package-lock.json v3 and node_modules written by npm (express, and
#                      @esbuild/linux-x64, whose esbuild is a Go binary with module lines)
#     srv/yarn-app/    yarn.lock and node_modules written by Yarn 1 (from npm)
#     srv/pnpm-app/    pnpm-lock.yaml v9 and node_modules written by pnpm 9 (from npm)
#     usr/share/java/  Debian's *-java jars (dpkg-deb -x)
#     srv/java/webapp.war   a war holding two of those jars in WEB-INF/lib (nested)
#     srv/java/shaded.jar   commons-lang3 and commons-io merged into one jar (shaded)
#     usr/local/bin/vexlake-fixture-rs   a Rust binary built by `cargo auditable` from
#                      crates.io (its .dep-v0 section), with its Cargo.lock in srv/rust-app/
#     usr/share/rubygems-integration/   Debian's ruby-* gems' specifications
#   usage/           an OCI image layout, tag :latest: Debian's base again, its entrypoint
#                    `/bin/sh -c 'exec apt-get --version'`
#   binaries/        PyYAML's extension module for Windows (_yaml.pyd, PE) and macOS (_yaml.so,
#                    Mach-O), from PyPI's wheels
#   expected/        what each ecosystem's own tool says is there, one `name@version` a line:
#                    pypi (pip list), npm (npm query), maven (the jars' pom.properties), cargo
#                    (cargo tree), gem (the installed specifications' file names), golang
#                    (esbuild's `dep` lines and Go version, read as text from the binary),
#                    usage (the packages dpkg -S names for sh, apt-get and every library
#                    `ldd` lists for them, run in the unpacked image with chroot), usage-rs
#                    (the same for :latest's entrypoint, the Rust binary), pe (the DLLs objdump
#                    says _yaml.pyd imports), macho (_yaml.so's LC_LOAD_DYLIB commands)
#
# What it needs: the scanner fixtures (VEXLAKE_SCAN_FIXTURES), umoci, skopeo, pip, npm, cargo,
# apt-get download, dpkg-deb, chroot (root), objdump (binutils); cargo-auditable is installed from crates.io into $VEXLAKE_TOOLS.
set -euo pipefail

OUT="${1:-$HOME/.cache/vexlake/fixtures/lang-3}"
[ -f "$OUT/.complete" ] && exit 0
SCAN="${VEXLAKE_SCAN_FIXTURES:-$HOME/.cache/vexlake/fixtures/scan-3}"
TOOLS="${VEXLAKE_TOOLS:-$HOME/.cache/vexlake/tools}"
PY="${PYTHON:-python3}"
TMP="$OUT.tmp"
rm -rf "$TMP"
mkdir -p "$TMP/expected"
cd "$TMP"
export SOURCE_DATE_EPOCH=1700000000
R="$TMP/root"
mkdir -p "$R"

echo "lang fixtures: Python wheels from PyPI"
SITE="$R/usr/local/lib/python3.11/site-packages"
"$PY" -m pip download -q --disable-pip-version-check --no-deps -d wheels --only-binary=:all: --platform manylinux2014_x86_64 \
  --python-version 3.11 requests==2.31.0 urllib3==2.0.7 idna==3.4 certifi==2023.7.22 \
  charset-normalizer==3.3.2 Flask==3.0.0 Werkzeug==3.0.1 Jinja2==3.1.2 MarkupSafe==2.1.3 \
  itsdangerous==2.1.2 click==8.1.7 blinker==1.7.0 PyYAML==6.0.1 pythonnet==3.0.3 clr_loader==0.2.6 \
  cffi==1.16.0 pycparser==2.21
"$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile --no-index --target "$SITE" wheels/*.whl
"$PY" -m pip list --path "$SITE" --format=freeze | sed 's/==/@/' | sort > expected/pypi

echo "lang fixtures: npm, Yarn and pnpm apps from the npm registry"
mkdir -p "$R/srv/node-app" "$R/srv/yarn-app" "$R/srv/pnpm-app" npm-tools
(cd npm-tools && npm install -q --no-audit --no-fund yarn@1.22.22 pnpm@9.15.9 >/dev/null 2>&1)
(cd "$R/srv/node-app" && echo '{"name":"node-app","version":"1.0.0","private":true}' > package.json \
  && npm install -q --no-audit --no-fund --ignore-scripts --omit=dev express@4.18.2 \
     @esbuild/linux-x64@0.19.12 >/dev/null)
(cd "$R/srv/yarn-app" && echo '{"name":"yarn-app","version":"1.0.0","private":true,"dependencies":{"lodash":"4.17.21","chalk":"4.1.2","debug":"4.3.4"}}' > package.json \
  && "$TMP/npm-tools/node_modules/.bin/yarn" install --silent --ignore-scripts --non-interactive \
     --cache-folder "$TMP/yarn-cache" >/dev/null)
(cd "$R/srv/pnpm-app" && echo '{"name":"pnpm-app","version":"1.0.0","private":true,"dependencies":{"axios":"1.6.0","@types/node":"20.10.0"}}' > package.json \
  && "$TMP/npm-tools/node_modules/.bin/pnpm" install --silent --ignore-scripts \
     --store-dir "$TMP/pnpm-store" >/dev/null)
for app in node-app yarn-app pnpm-app; do
  (cd "$R/srv/$app" && npm query '*' 2>/dev/null) \
    | "$PY" -c 'import json,sys; [print(p["name"] + "@" + p["version"]) for p in json.load(sys.stdin) if p.get("name") and p.get("version")]'
done | sort -u > expected/npm

# esbuild's module lines as the Go linker wrote them, read as plain text from the binary.
"$PY" - "$R/srv/node-app/node_modules/@esbuild/linux-x64/bin/esbuild" <<'EOF' | sort -u > expected/golang
import re, sys
data = open(sys.argv[1], "rb").read()
for m in re.finditer(rb"\ndep\t([^\t\n]+)\t([^\t\n]+)", data):
    print(f"{m[1].decode()}@{m[2].decode()}")
m = re.search(rb"\xff Go buildinf:.{18,19}(go[0-9][0-9.]*)", data, re.S)
print(f"stdlib@{m[1].decode()[2:]}")
EOF

echo "lang fixtures: Debian's Java and Ruby packages"
mkdir -p debs
(cd debs && apt-get download -qq -o APT::Sandbox::User=root libcommons-lang3-java libcommons-io-java \
  libguava-java libslf4j-java libjackson2-core-java libjackson2-annotations-java \
  libjackson2-databind-java liblog4j2-java ruby-rack ruby-rack-test ruby-mustermann)
for d in debs/*.deb; do dpkg-deb -x "$d" "$R"; done
# Debian's own symlinks (foo.jar -> foo-1.2.jar) are kept; every regular jar counts once.
mkdir -p "$R/srv/java" war/WEB-INF/lib
cp "$R/usr/share/java/slf4j-api.jar" "$R/usr/share/java/jackson-core.jar" war/WEB-INF/lib/
"$PY" - "$R" <<'EOF'
import sys, zipfile, os
root = sys.argv[1]
java = f"{root}/usr/share/java"
def add_tree(z, top):
    for d, _, files in sorted(os.walk(top)):
        for f in sorted(files):
            p = os.path.join(d, f)
            z.write(p, os.path.relpath(p, top))
with zipfile.ZipFile(f"{root}/srv/java/webapp.war", "w", zipfile.ZIP_DEFLATED) as z:
    add_tree(z, "war")
# A shaded jar: the entries of two jars in one archive, the first's manifest kept.
seen = set()
with zipfile.ZipFile(f"{root}/srv/java/shaded.jar", "w", zipfile.ZIP_DEFLATED) as out:
    for jar in ("commons-lang3.jar", "commons-io.jar"):
        with zipfile.ZipFile(f"{java}/{jar}") as z:
            for i in z.infolist():
                if i.filename not in seen:
                    seen.add(i.filename)
                    out.writestr(i, z.read(i))
EOF
find "$R" -type f \( -name '*.jar' -o -name '*.war' \) | sort | while read -r jar; do
  "$PY" - "$jar" <<'EOF'
import sys, zipfile, io
def walk(z):
    for n in z.namelist():
        if n.startswith("META-INF/maven/") and n.endswith("/pom.properties"):
            p = dict(l.split("=", 1) for l in z.read(n).decode().splitlines() if "=" in l and not l.startswith("#"))
            print(f"{p['groupId']}:{p['artifactId']}@{p['version']}")
        elif n.endswith(".jar"):
            walk(zipfile.ZipFile(io.BytesIO(z.read(n))))
walk(zipfile.ZipFile(sys.argv[1]))
EOF
done | sort -u > expected/maven
find "$R/usr/share/rubygems-integration" -name '*.gemspec' -printf '%f\n' \
  | sed -E 's/\.gemspec$//; s/-([0-9][^-]*)$/@\1/' | sort > expected/gem

echo "lang fixtures: a Rust binary built by cargo auditable from crates.io"
if [ ! -x "$TOOLS/bin/cargo-auditable" ]; then
  cargo install --locked --quiet cargo-auditable@0.7.7 --root "$TOOLS"
fi
mkdir -p rust-app/src "$R/srv/rust-app" "$R/usr/local/bin"
cat > rust-app/Cargo.toml <<'EOF'
[package]
name = "vexlake-fixture-rs"
version = "0.1.0"
edition = "2021"

[dependencies]
serde_json = "=1.0.117"
itoa = "=1.0.11"
EOF
cat > rust-app/src/main.rs <<'EOF'
fn main() {
    let mut b = itoa::Buffer::new();
    let v = serde_json::json!({ "n": b.format(42) });
    println!("{v}");
}
EOF
(cd rust-app && PATH="$TOOLS/bin:$PATH" CARGO_TARGET_DIR="$TMP/rust-target" \
  cargo auditable build --release --quiet)
cp "$TMP/rust-target/release/vexlake-fixture-rs" "$R/usr/local/bin/"
cp rust-app/Cargo.toml rust-app/Cargo.lock "$R/srv/rust-app/"
(cd rust-app && cargo tree -e normal --prefix none --format '{p}' --target all) \
  | sed -E 's/ v([^ ]+).*/@\1/' | sort -u > expected/cargo

echo "lang fixtures: a Windows and a macOS binary from PyPI (PyYAML's extension modules)"
mkdir -p "$TMP/binaries" xwheels
"$PY" -m pip download -q --disable-pip-version-check --no-deps -d xwheels --only-binary=:all: \
  --platform win_amd64 --python-version 3.11 PyYAML==6.0.1
"$PY" -m pip download -q --disable-pip-version-check --no-deps -d xwheels --only-binary=:all: \
  --platform macosx_11_0_arm64 --python-version 3.11 PyYAML==6.0.1
"$PY" - xwheels "$TMP/binaries" <<'EOF'
import pathlib, sys, zipfile
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for n in z.namelist():
            if n.startswith("yaml/_yaml") and n.endswith((".pyd", ".so")):
                out = pathlib.Path(sys.argv[2]) / ("_yaml.pyd" if n.endswith(".pyd") else "_yaml.so")
                out.write_bytes(z.read(n))
EOF
# What binutils' objdump says the PE file imports, and the Mach-O file's LC_LOAD_DYLIB commands
# read with struct.
objdump -p "$TMP/binaries/_yaml.pyd" | sed -n 's/^\s*DLL Name: //p' > expected/pe
"$PY" - "$TMP/binaries/_yaml.so" > expected/macho <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
assert struct.unpack_from("<I", b, 0)[0] == 0xFEEDFACF, "a 64-bit little-endian Mach-O file"
ncmds, at = struct.unpack_from("<I", b, 16)[0], 32
for _ in range(ncmds):
    cmd, size = struct.unpack_from("<II", b, at)
    if cmd in (0xC, 0x80000018, 0x8000001F, 0x20, 0x80000023):  # the LC_*_DYLIB loads
        offset = struct.unpack_from("<I", b, at + 8)[0]
        print(b[at + offset : at + size].split(b"\0")[0].decode())
    at += size
EOF

echo "lang fixtures: the image"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@"$SOURCE_DATE_EPOCH" -C "$R" -cf langs.tar .
skopeo copy -q "oci:$SCAN/debian:base" oci:apps:latest
umoci raw add-layer --image apps:latest langs.tar
umoci config --image apps:latest --config.entrypoint /usr/local/bin/vexlake-fixture-rs

echo "lang fixtures: the usage image, and what ldd and dpkg say its entrypoint loads"
# Debian's base with an entrypoint that runs apt-get through sh -c and exec: the usage view is
# dash, apt and the packages of the libraries the real dynamic linker loads for both.
skopeo copy -q "oci:$SCAN/debian:base" oci:usage:latest
umoci config --image usage:latest --config.entrypoint /bin/sh --config.entrypoint -c \
  --config.entrypoint 'exec apt-get --version' --config.workingdir /
# usage_oracle IMAGE PROGRAM...: the dpkg packages owning each program and each library ldd
# lists for it, in the image unpacked (chroot runs the image's own ldd and dpkg).
usage_oracle() {
  local image="$1"
  shift
  umoci unpack --image "$image" bundle >/dev/null
  local rf=bundle/rootfs
  for program in "$@"; do
    chroot "$rf" realpath "$program"
    chroot "$rf" /usr/bin/ldd "$program" | grep -o '/[^ ]*' | xargs -r -n1 chroot "$rf" realpath
  done | sort -u | while read -r file; do
    # dpkg lists files under the directories packages ship them in: /lib or /usr/lib. A file
    # no package owns (the Rust binary) is left out.
    chroot "$rf" dpkg -S "$file" 2>/dev/null || chroot "$rf" dpkg -S "${file#/usr}" 2>/dev/null || true
  done | cut -d: -f1 | sort -u
  rm -rf bundle
}
usage_oracle usage:latest /bin/sh /usr/bin/apt-get > expected/usage
usage_oracle apps:latest /usr/local/bin/vexlake-fixture-rs > expected/usage-rs
rm -rf root war debs wheels xwheels npm-tools rust-app rust-target yarn-cache pnpm-store langs.tar
touch .complete
rm -rf "$OUT"
mv "$TMP" "$OUT"
echo "lang fixtures: done ($OUT)"
