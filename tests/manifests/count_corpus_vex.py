#!/usr/bin/env python3
"""Counts the VEX statements the team's corpus holds, independently of vexlake, and writes
corpus_vex.json.

The integration test `vex::vex_corpus_matches_the_manifest` ingests the same inputs, in the
same order, with one `vexlake ingest vex` and compares, per file, the statements by status and
the rejects with these counts. Re-run after the corpus changes:
    python3 tests/manifests/count_corpus_vex.py ../shared/corpus > tests/manifests/corpus_vex.json

The rules re-implemented here are the README's:
* inputs are the *.json files of each path (directories walked in sorted order); a file whose
  bytes were already read lands once (the later copy is "unchanged");
* CSAF (`document.csaf_version`): checked against the CSAF 2.0 schema (tolerant, as for
  advisories); one statement per product id of each VEX product status (known_affected,
  first_affected, last_affected -> affected; known_not_affected -> not_affected; fixed,
  first_fixed -> fixed; under_investigation);
* OpenVEX (an `@context` naming openvex): one statement per (statement, product, subcomponent),
  products and subcomponents counted as at least one each; v0.0.1's subcomponents sit beside
  the products;
* CycloneDX (`bomFormat`): one statement per vulnerability with an `analysis`, per `affects[]`
  entry (at least one), per `versions[]` entry (at least one); a version entry's status
  (unaffected -> not_affected, or fixed when the analysis says resolved; affected; unknown ->
  under_investigation) overrides the analysis state (exploitable -> affected; not_affected,
  false_positive -> not_affected; resolved, resolved_with_pedigree -> fixed; in_triage ->
  under_investigation); a BOM with no analysis is rejected;
* anything else is rejected.
"""
import hashlib
import json
import pathlib
import sys

import jsonschema
import referencing

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tolerant_schema import tolerant  # noqa: E402

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
schemas = pathlib.Path(__file__).resolve().parents[2] / "datasets" / "schemas"


def load(name):
    return tolerant(json.loads((schemas / name).read_text()))


# The CSAF schema refers to FIRST's CVSS schemas, bundled beside it.
registry = referencing.Registry().with_resources([
    ("https://www.first.org/cvss/" + name, referencing.Resource.from_contents(
        load(name), default_specification=referencing.jsonschema.DRAFT7))
    for name in ("cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json")])
csaf_schema = jsonschema.Draft202012Validator(load("csaf_json_schema.json"), registry=registry)

# The inputs, in the order the test passes them.
INPUTS = [
    "openvex",
    "csaf/oasis-csaf-2.0/examples/csaf_vex",
    "csaf/redhat-vex",
    "csaf/go-vex",
    "cyclonedx/bom-examples/VEX",
    "cyclonedx/spec-tests/1.4/valid-vulnerability-1.4.json",
    "cyclonedx/spec-tests/1.5/valid-vulnerability-1.5.json",
    "cyclonedx/spec-tests/1.6/valid-vulnerability-1.6.json",
]

CSAF_STATUS = {
    "known_affected": "affected", "first_affected": "affected", "last_affected": "affected",
    "known_not_affected": "not_affected", "fixed": "fixed", "first_fixed": "fixed",
    "under_investigation": "under_investigation",
}
OPENVEX_STATUS = {"affected", "not_affected", "fixed", "under_investigation"}
CDX_STATE = {
    "exploitable": "affected", "not_affected": "not_affected", "false_positive": "not_affected",
    "resolved": "fixed", "resolved_with_pedigree": "fixed", "in_triage": "under_investigation",
}


class Reject(Exception):
    pass


def csaf(doc):
    errors = list(csaf_schema.iter_errors(doc))
    if errors:
        raise Reject("csaf-schema")
    out = {}
    for v in doc.get("vulnerabilities", []):
        if not v.get("cve") and not v.get("ids"):
            raise Reject("no-vulnerability-id")
        for bucket, pids in (v.get("product_status") or {}).items():
            if bucket in CSAF_STATUS:
                out[CSAF_STATUS[bucket]] = out.get(CSAF_STATUS[bucket], 0) + len(pids)
    return out


def openvex(doc):
    if not isinstance(doc.get("statements"), list):
        raise Reject("no-statements")
    out = {}
    for st in doc["statements"]:
        v = st.get("vulnerability")
        if not (isinstance(v, str) and v.strip()) and not (
                isinstance(v, dict) and (v.get("name") or v.get("@id"))):
            raise Reject("no-vulnerability")
        status = st.get("status")
        if status not in OPENVEX_STATUS:
            raise Reject("bad-status")
        legacy = len(st.get("subcomponents") or [])
        products = st.get("products") or []
        if not products:
            n = max(1, legacy)
        else:
            n = sum(max(1, len((p.get("subcomponents") if isinstance(p, dict) else None) or [])
                        + legacy) for p in products)
        out[status] = out.get(status, 0) + n
    return out


def cyclonedx(doc):
    vulns = doc.get("vulnerabilities") or []
    if not any("analysis" in v for v in vulns):
        raise Reject("no-analysis")
    out = {}
    for v in vulns:
        if "analysis" not in v:
            continue
        a = v["analysis"]
        state = a.get("state")
        if state is None:
            base = "not_affected" if "justification" in a else "under_investigation"
        elif state in CDX_STATE:
            base = CDX_STATE[state]
        else:
            raise Reject("bad-state")
        for aff in v.get("affects") or [None]:
            for ver in ((aff or {}).get("versions") or [None]):
                s = (ver or {}).get("status")
                if s is None:
                    status = base
                elif s == "unaffected":
                    status = "fixed" if base == "fixed" else "not_affected"
                elif s == "affected":
                    status = "affected"
                elif s == "unknown":
                    status = "under_investigation"
                else:
                    raise Reject("bad-version-status")
                out[status] = out.get(status, 0) + 1
    return out


def count(raw):
    try:
        doc = json.loads(raw)
    except ValueError:
        raise Reject("json")
    if not isinstance(doc, dict):
        raise Reject("not-vex")
    if isinstance(doc.get("document"), dict) and "csaf_version" in doc["document"]:
        return csaf(doc)
    if "openvex" in str(doc.get("@context", "")):
        return openvex(doc)
    if doc.get("bomFormat") == "CycloneDX":
        return cyclonedx(doc)
    raise Reject("not-vex")


def files(path):
    if path.is_dir():
        return sorted(p for p in path.rglob("*.json") if p.is_file())
    return [path]


seen = set()
manifest = {"inputs": INPUTS, "files": {}}
totals = {"statements": 0, "landed": 0, "unchanged": 0, "rejected": 0}
for rel in INPUTS:
    for f in files(root / rel):
        raw = f.read_bytes()
        name = f.relative_to(root).as_posix()
        try:
            by_status = count(raw)
        except Reject as r:
            manifest["files"][name] = {"reject": str(r)}
            totals["rejected"] += 1
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:
            manifest["files"][name] = {"unchanged": True}
            totals["unchanged"] += 1
            continue
        seen.add(digest)
        manifest["files"][name] = {"statements": dict(sorted(by_status.items()))}
        totals["landed"] += 1
        totals["statements"] += sum(by_status.values())
manifest["totals"] = totals
json.dump(manifest, sys.stdout, indent=1, sort_keys=True)
sys.stdout.write("\n")
