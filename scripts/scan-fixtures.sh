#!/usr/bin/env bash
# Builds the scanner's test images from real packages, into DIR (default
# ~/.cache/vexlake/fixtures/scan-3), once: a later run finds DIR/.complete and does nothing.
# tests/it/scan.rs reads them from $VEXLAKE_SCAN_FIXTURES (scripts/test.sh sets it).
#
#   debian/               an OCI image layout, two tags:
#     :base                 Debian 12 minbase, made by mmdebstrap from Debian's packages (one layer)
#     :v2                   base + a layer made by umoci from a real change: `hello` installed
#                           and `mount` purged by the real dpkg (whiteouts)
#   debian-zstd/          :v2 again with zstd-compressed layers (skopeo)
#   debian-docker.tar     :v2 as `docker save` writes it (skopeo docker-archive, old layout)
#   debian-oci.tar        :v2 as an oci-archive (skopeo)
#   debian.dpkg           what Debian's own dpkg-query says :v2 holds (name, version, arch)
#   distroless/           status.d/ layout, one file a package, as distroless images have it
#   rpm/                  an rpmdb.sqlite written by the real rpm tool from packages built by
#                         rpmbuild, on an os-release of Rocky Linux 9
#   rpm.rpm               what `rpm -qa` says that database holds
#   centos7/              a real CentOS 7 Berkeley DB `Packages` (from Debian's go-rpmdb test data)
#   centos7.rpm           what Debian's go-rpmdb tool says it holds
#   alpine/               an apk installed database in Alpine's documented format
#
# What it needs (scripts/test.sh installs them from Debian): mmdebstrap, umoci, skopeo, rpm
# (rpm, rpmbuild), dpkg and apt-get download. The Debian mirror is $VEXLAKE_DEBIAN_MIRROR
# (default http://deb.debian.org/debian).
set -euo pipefail

OUT="${1:-$HOME/.cache/vexlake/fixtures/scan-3}"
[ -f "$OUT/.complete" ] && exit 0
MIRROR="${VEXLAKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
TMP="$OUT.tmp"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
export SOURCE_DATE_EPOCH=1700000000

echo "scan fixtures: Debian 12 minbase with mmdebstrap (about a minute)"
mmdebstrap --variant=minbase --quiet bookworm rootfs.tar "$MIRROR"

umoci init --layout debian
umoci new --image debian:base
umoci raw add-layer --image debian:base rootfs.tar
umoci config --image debian:base --config.entrypoint /bin/bash --config.label org.example.team=scanner \
  --os linux --architecture amd64
# A second layer from a real change to the root filesystem.
umoci unpack --image debian:base bundle >/dev/null
mkdir -p debs
(cd debs && apt-get download -qq -o APT::Sandbox::User=root hello)
dpkg --root=bundle/rootfs --force-script-chrootless --force-not-root -i debs/hello_*.deb >/dev/null
dpkg --root=bundle/rootfs --force-script-chrootless --force-not-root --purge mount >/dev/null
umoci repack --image debian:v2 bundle
dpkg-query --admindir=bundle/rootfs/var/lib/dpkg -W \
  -f '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n' \
  | awk -F'\t' '$1 == "installed" { print $2 "\t" $3 "\t" $4 }' | sort > debian.dpkg
rm -rf bundle

skopeo copy -q --dest-compress-format zstd --dest-compress oci:debian:v2 oci:debian-zstd:v2
skopeo copy -q oci:debian:v2 docker-archive:debian-docker.tar:vexlake/debian:v2
skopeo copy -q oci:debian:v2 oci-archive:debian-oci.tar:v2

# Distroless: the same packages' status paragraphs, one file each under status.d/.
python3 - rootfs.tar <<'EOF'
import io, sys, tarfile
src = tarfile.open(sys.argv[1])
status = src.extractfile("./var/lib/dpkg/status").read().decode()
osr = src.extractfile("./usr/lib/os-release").read()
debian_version = src.extractfile("./etc/debian_version").read()
out = tarfile.open("distroless.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1700000000
    out.addfile(info, io.BytesIO(data))
add("etc/os-release", osr)
add("etc/debian_version", debian_version)
for para in status.strip().split("\n\n"):
    name = next(l.split(": ", 1)[1] for l in para.splitlines() if l.startswith("Package: "))
    body = "\n".join(l for l in para.splitlines() if not l.startswith("Status: ")) + "\n"
    add(f"var/lib/dpkg/status.d/{name}", body.encode())
    add(f"var/lib/dpkg/status.d/{name}.md5sums", b"d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/x\n")
out.close()
EOF
umoci init --layout distroless
umoci new --image distroless:latest
umoci raw add-layer --image distroless:latest distroless.tar

echo "scan fixtures: an rpm database with rpmbuild and rpm"
mkdir -p rpmbuild/SPECS rpmdb
for spec in "vexlake-demo 1.2.3 4.el9 0" "vexlake-lib 2.0 1.el9 2"; do
  set -- $spec
  cat > "rpmbuild/SPECS/$1.spec" <<EOF
Name: $1
Version: $2
Release: $3
Epoch: $4
Summary: a test package for vexlake's rpm analyzer
License: Apache-2.0
BuildArch: noarch
%description
A test package.
%files
EOF
  rpmbuild -bb --quiet --define "_topdir $TMP/rpmbuild" "rpmbuild/SPECS/$1.spec" >/dev/null
done
rpm --initdb --dbpath "$TMP/rpmdb"
rpm -i --justdb --nodeps --dbpath "$TMP/rpmdb" rpmbuild/RPMS/noarch/*.rpm
rpm -qa --dbpath "$TMP/rpmdb" --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n' | sort > rpm.rpm
python3 - <<'EOF'
import io, tarfile
out = tarfile.open("rpm.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1700000000
    out.addfile(info, io.BytesIO(data))
add("etc/os-release", b'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nVERSION_ID="9.3"\n')
add("var/lib/rpm/rpmdb.sqlite", open("rpmdb/rpmdb.sqlite", "rb").read())
out.close()
EOF
umoci init --layout rpm
umoci new --image rpm:latest
umoci raw add-layer --image rpm:latest rpm.tar

echo "scan fixtures: a CentOS 7 Berkeley DB rpm database (Debian's go-rpmdb test data)"
# Debian packages go-rpmdb (github.com/knqyf263/go-rpmdb, MIT): its -dev package carries real
# rpm Packages databases of CentOS images as test data, and its go-rpmdb tool lists them (the
# oracle: an independent reader, in Go).
mkdir -p gorpmdb
(cd gorpmdb && apt-get download -qq -o APT::Sandbox::User=root golang-github-knqyf263-go-rpmdb-dev go-rpmdb \
  && for d in *.deb; do dpkg -x "$d" .; done)
cp gorpmdb/usr/share/gocode/src/github.com/knqyf263/go-rpmdb/pkg/testdata/centos7-plain/Packages Packages
gorpmdb/usr/bin/go-rpmdb > gorpmdb.txt   # reads ./Packages
python3 - <<'EOF2' | sort > centos7.rpm
import re
for line in open("gorpmdb.txt"):
    f = dict(re.findall(r"(\w+):(\S*)", line))
    if "Name" in f:
        print("\t".join([f["Name"], "%s:%s-%s" % (f["Epoch"], f["Version"], f["Release"]), f["Arch"], f["SourceRpm"]]))
EOF2
python3 - <<'EOF2'
import io, tarfile
out = tarfile.open("centos7.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1700000000
    out.addfile(info, io.BytesIO(data))
add("etc/os-release", b'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n')
add("etc/centos-release", b"CentOS Linux release 7.5.1804 (Core)\n")
add("var/lib/rpm/Packages", open("Packages", "rb").read())
out.close()
EOF2
umoci init --layout centos7
umoci new --image centos7:latest
umoci raw add-layer --image centos7:latest centos7.tar

# apk: no apk-tools on Debian; the installed database in the format Alpine documents.
python3 - <<'EOF'
import io, tarfile
db = """C:Q1cZnpKnyw9TzsHZuxgP4Zl3ScdKQ=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407278
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1699000000
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755

C:Q1Abc3Fz0Jk3dD1cmq5CxB8Kzv7ZQ=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1700000
I:4600000
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3

"""
out = tarfile.open("alpine.tar", "w", format=tarfile.PAX_FORMAT)
def add(name, data):
    info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1700000000
    out.addfile(info, io.BytesIO(data))
add("etc/os-release", b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n')
add("lib/apk/db/installed", db.encode())
out.close()
EOF
umoci init --layout alpine
umoci new --image alpine:latest
umoci raw add-layer --image alpine:latest alpine.tar

rm -rf rootfs.tar distroless.tar rpm.tar alpine.tar centos7.tar Packages gorpmdb gorpmdb.txt rpmbuild rpmdb debs
touch .complete
rm -rf "$OUT"
mv "$TMP" "$OUT"
echo "scan fixtures: ready in $OUT"
