#!/usr/bin/env python3
"""Compares the packages of CycloneDX SBOMs: vexlake's against other scanners' (Trivy, Syft).

    python3 benches/compare_scanners.py OURS.cdx.json --other trivy=T.cdx.json --other syft=S.cdx.json
    python3 benches/compare_scanners.py OURS.cdx.json --languages --min-recall 0.95 --other ...

Without --languages only OS packages are compared; with it, language packages too (a package
is then (purl type, namespace/name, version)), each purl type on its own.

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
LANGUAGE_TYPES = {"npm", "pypi", "maven", "golang", "cargo", "gem", "composer", "nuget", "pub", "swift", "hex"}
TYPES = set(OS_TYPES)


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
    if ty not in TYPES:
        return None
    path, _, version = rest.rpartition("@")
    if not path:
        path, version = rest, ""
    version = unquote(version)
    if ty in LANGUAGE_TYPES:
        # The namespace is part of a language package's name (npm scope, Maven group, Go path).
        name = unquote(path)
        if ty == "pypi":
            name = name.lower().replace("_", "-")
        if ty == "golang" and name == "stdlib":
            version = version.lstrip("v")
        return (ty, name, version)
    name = unquote(path.rsplit("/", 1)[-1])
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
    ap.add_argument(
        "--languages",
        action="store_true",
        help="also compare language packages, ecosystem by ecosystem (recall per purl type)",
    )
    ap.add_argument("--quiet", action="store_true", help="counts only, no package lists")
    args = ap.parse_args()
    if args.languages:
        TYPES.update(LANGUAGE_TYPES)
    ours = packages(args.ours)
    ok = True
    seen_elsewhere = set()
    print(f"vexlake: {len(ours)} packages")
    for spec in args.other:
        name, _, path = spec.partition("=")
        theirs = packages(path)
        seen_elsewhere |= theirs
        for ty in sorted({p[0] for p in theirs}):
            mine = {p for p in ours if p[0] == ty}
            them = {p for p in theirs if p[0] == ty}
            common = mine & them
            recall = len(common) / len(them) if them else 1.0
            print(
                f"{name} {ty}: {len(them)} packages; vexlake finds {len(common)} of them "
                f"(recall {recall:.4f}); vexlake lists {len(mine)}"
            )
            if not args.quiet:
                for p in sorted(them - mine):
                    print(f"  only {name}: {p}")
                for p in sorted(mine - them):
                    print(f"  only vexlake: {p}")
            ok &= recall >= args.min_recall
    if args.other:
        invented = ours - seen_elsewhere
        print(f"found by vexlake alone: {len(invented)}")
        ok &= not invented
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
