#!/usr/bin/env python3
"""Counts what datasets/sample holds, independently of vexlake, and writes sample.json.

The integration test `manifest::sample_counts_match_the_manifest` ingests the sample and
compares vexlake's row counts with these. Re-run after changing the sample:
    python3 tests/manifests/count_sample.py > tests/manifests/sample.json
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "sample"


def cdx_components(components):
    n = 0
    for c in components or []:
        n += 1 + cdx_components(c.get("components"))
    return n


sboms = {}
for path in sorted((root / "sboms").glob("*.json")):
    doc = json.loads(path.read_text())
    if doc.get("bomFormat") == "CycloneDX":
        components = cdx_components(doc.get("components"))
        edges = sum(len(d.get("dependsOn") or []) for d in doc.get("dependencies") or [])
    else:
        components = len(doc.get("packages") or [])
        kinds = {"DEPENDS_ON", "CONTAINS", "DEPENDENCY_OF", "CONTAINED_BY"}
        edges = sum(1 for r in doc.get("relationships") or [] if r["relationshipType"] in kinds)
    sboms[path.name] = {"components": components, "dependencies": edges}

records = affected = 0
for path in sorted((root / "advisories").rglob("*.json")):
    doc = json.loads(path.read_text())
    records += 1
    affected += len(doc.get("affected") or [])

statements = 0
for path in sorted((root / "vex").glob("*.json")):
    doc = json.loads(path.read_text())
    for st in doc["statements"]:
        legacy = len(st.get("subcomponents") or [])
        for product in st.get("products") or [None]:
            subs = len(product.get("subcomponents") or []) if isinstance(product, dict) else 0
            statements += max(1, subs + legacy)

print(json.dumps({
    "sboms": sboms,
    "sbom_documents": len(sboms),
    "components": sum(s["components"] for s in sboms.values()),
    "dependencies": sum(s["dependencies"] for s in sboms.values()),
    "advisory_records": records,
    "advisory_affected": affected,
    "vex_documents": len(list((root / "vex").glob("*.json"))),
    "vex_statement_rows": statements,
}, indent=2, sort_keys=True))
