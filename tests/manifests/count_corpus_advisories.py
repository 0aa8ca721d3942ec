#!/usr/bin/env python3
"""Counts what the team's NVD and CSAF corpus folders (shared/corpus/nvd, shared/corpus/csaf)
hold as advisories, independently of vexlake, and writes corpus_advisories.json.

The integration test `advisories::nvd_and_csaf_corpus_folders_match_the_manifest` ingests each
folder and compares vexlake's summary and rows with these counts. Re-run after the corpus
changes:
    python3 tests/manifests/count_corpus_advisories.py ../shared/corpus > tests/manifests/corpus_advisories.json

The rules re-implemented here are the README's:
* documents are the *.json, *.yaml, *.yml files, in sorted path order;
* a CSAF document has `document.csaf_version` (a Red Hat tombstone is `document.tracking` with
  status `deleted` and nothing else: it withdraws its id); an NVD page has a `vulnerabilities`
  array (one record per CVE) or is a bare `{"cve": ...}` item; anything else is rejected;
* every document follows its format's schema (the bundled copies, checked with Python's
  jsonschema, with `"additionalProperties": false` and `format` annotations dropped) or is
  rejected;
* a record lands as a new revision unless its canonical content (keys sorted) equals its id's
  latest revision or the latest one read from the same path.
"""
import json
import pathlib
import sys

import jsonschema
import referencing
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tolerant_schema import tolerant  # noqa: E402

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
schemas = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "schemas"


def load(name):
    return tolerant(json.loads((schemas / name).read_text()))


resources = []
for name in ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"):
    for base in ("https://www.first.org/cvss/", "https://csrc.nist.gov/schema/nvd/api/2.0/external/"):
        resources.append((base + name, referencing.Resource.from_contents(
            load(name), default_specification=referencing.jsonschema.DRAFT7)))
registry = referencing.Registry().with_resources(resources)
NVD_URL = "https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema"
nvd_schema = load("cve_api_json_2.0.schema.json")
nvd_schema["$id"] = NVD_URL
nvd_page = jsonschema.Draft7Validator(nvd_schema, registry=registry)
nvd_item = jsonschema.Draft7Validator(
    {"$ref": NVD_URL + "#/definitions/def_cve_item"},
    registry=registry.with_resource(NVD_URL, referencing.Resource.from_contents(
        nvd_schema, default_specification=referencing.jsonschema.DRAFT7)))
csaf = jsonschema.Draft202012Validator(load("csaf_json_schema.json"), registry=registry)


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def count(folder):
    files = sorted(p for p in (root / folder).rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
    rejected, records, withdrawn = [], [], 0
    for path in files:
        rel = str(path.relative_to(root / folder))
        try:
            doc = json.loads(path.read_bytes()) if path.suffix == ".json" else yaml.safe_load(path.read_bytes())
        except Exception:
            rejected.append(rel)
            continue
        d = doc.get("document") if isinstance(doc, dict) else None
        if isinstance(d, dict) and "csaf_version" not in d and (d.get("tracking") or {}).get("status") == "deleted":
            records.append((rel, "csaf", d["tracking"]["id"], canonical(doc), True, []))
            continue
        if isinstance(d, dict) and ("csaf_version" in d or "tracking" in d):
            if not csaf.is_valid(doc):
                rejected.append(rel)
                continue
            cves = [v["cve"] for v in doc.get("vulnerabilities") or [] if v.get("cve")]
            records.append((rel, "csaf", d["tracking"]["id"], canonical(doc), False, cves))
        elif isinstance(doc, dict) and isinstance(doc.get("vulnerabilities"), list):
            if not nvd_page.is_valid(doc):
                rejected.append(rel)
                continue
            for item in doc["vulnerabilities"]:
                records.append((rel, "nvd", item["cve"]["id"], canonical(item),
                                item["cve"].get("vulnStatus") == "Rejected", item))
        elif isinstance(doc, dict) and isinstance(doc.get("cve"), dict) and "id" not in doc:
            if not nvd_item.is_valid(doc):
                rejected.append(rel)
                continue
            records.append((rel, "nvd", doc["cve"]["id"], canonical(doc),
                            doc["cve"].get("vulnStatus") == "Rejected", doc))
        else:
            rejected.append(rel)
    latest, by_path, landed = {}, {}, []
    for rel, source, rid, content, is_withdrawn, extra in records:
        if latest.get(rid) == content or by_path.get((rid, rel)) == content:
            continue
        latest[rid] = content
        by_path[(rid, rel)] = content
        landed.append((source, rid, is_withdrawn, extra))
    out = {
        "documents": len(files),
        "rejected": sorted(rejected),
        "records_read": len(records),
        "landed": len(landed),
        "withdrawn": sum(1 for l in landed if l[2]),
    }
    if folder == "nvd":
        out["cpe_matches"] = sum(
            len(n.get("cpeMatch") or [])
            for (_, _, _, item) in landed
            for c in item["cve"].get("configurations") or []
            for n in c.get("nodes") or [])
    else:
        out["cves"] = sorted({c for (_, _, _, cves) in landed for c in cves})
    return out


print(json.dumps({
    "generated_by": "tests/manifests/count_corpus_advisories.py",
    "nvd": count("nvd"),
    "csaf": count("csaf"),
}, indent=1))
