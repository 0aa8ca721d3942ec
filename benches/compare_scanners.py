#!/usr/bin/env python3
"""Compares the OS packages of CycloneDX SBOMs: vexlake's against other scanners' (Trivy, Syft).

    python3 benches/compare_scanners.py OURS.cdx.json --other trivy=T.cdx.json --other syft=S.cdx.json

A package is (purl type, name, version with the epoch joined in), read from each
component's purl (deb, rpm and apk purls; an `epoch` qualifier is folded into the version, as
Trivy writes rpm and deb epochs apart and Syft joins them). For each other scanner it prints
the recall (the share of its packages vexlake finds), the packages only it found and the
packages only vexlake found, and exits 1 when recall is under --min-recall (default 0.99) or
vexlake lists a package no other scanner does.
"""

import argparse
import json
import sys
from urllib.parse import unquote

OS_TYPES = {"deb", "rpm", "apk"}


def packages(path):
    doc = json.load(open(path))
    out = set()

    def walk(components):
        for c in components or []:
            purl = c.get("purl") or ""
            if purl.startswith("pkg:"):
                key = parse(purl)
                if key:
                    out.add(key)
            walk(c.get("components"))

    walk(doc.get("components"))
    return out


def parse(purl):
    body = purl[4:]
    body, _, _subpath = body.partition("#")
    body, _, query = body.partition("?")
    ty, _, rest = body.partition("/")
    if ty not in OS_TYPES:
        return None
    path, _, version = rest.rpartition("@")
    name = unquote(path.rsplit("/", 1)[-1])
    version = unquote(version)
    quals = dict(
        (k, unquote(v)) for k, _, v in (q.partition("=") for q in query.split("&") if q)
    )
    epoch = quals.get("epoch")
    if epoch and ":" not in version and epoch != "0":
        version = f"{epoch}:{version}"
    if version.startswith("0:"):
        version = version[2:]
    return (ty, name, version)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ours")
    ap.add_argument("--other", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--min-recall", type=float, default=0.99)
    args = ap.parse_args()
    ours = packages(args.ours)
    ok = True
    seen_elsewhere = set()
    print(f"vexlake: {len(ours)} OS packages")
    for spec in args.other:
        name, _, path = spec.partition("=")
        theirs = packages(path)
        seen_elsewhere |= theirs
        common = ours & theirs
        recall = len(common) / len(theirs) if theirs else 1.0
        print(
            f"{name}: {len(theirs)} OS packages; vexlake finds {len(common)} of them "
            f"(recall {recall:.4f})"
        )
        for p in sorted(theirs - ours):
            print(f"  only {name}: {p}")
        for p in sorted(ours - theirs):
            print(f"  only vexlake: {p}")
        ok &= recall >= args.min_recall
    if args.other:
        invented = ours - seen_elsewhere
        print(f"found by vexlake alone: {len(invented)}")
        ok &= not invented
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
