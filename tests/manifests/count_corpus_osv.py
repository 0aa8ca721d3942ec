#!/usr/bin/env python3
"""Counts what the team's OSV corpus (shared/corpus/osv) holds, independently of vexlake, and
writes corpus_osv.json.

The integration test `corpus::every_corpus_range_lands_or_is_reported` ingests the corpus and
compares vexlake's rows with these counts. Re-run after the corpus changes:
    python3 tests/manifests/count_corpus_osv.py ../shared/corpus/osv > tests/manifests/corpus_osv.json

Documents are the *.json, *.yaml and *.yml files; a document is an OSV record (an object with
"id"), a list of them, or {"vulns": [...]}; anything else is a reject, and so is a document with
a record that the OSV schema (corpus/osv/schema/osv-schema.json, checked with Python's
jsonschema; "additionalProperties": false and "format" annotations dropped, as vexlake does)
refuses. An observation is a
distinct (id, content); versions are checked with an own SemVer pattern (SEMVER ranges) and
Python packaging (PyPI ECOSYSTEM ranges). `examples` are the issue's own acceptance example:
the records that affect each purl, by tests/fixtures/ranges/make_cases.py's independent matcher.
"""
import collections
import json
import pathlib
import re
import sys

import jsonschema
import packaging.version
import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tolerant_schema import tolerant  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "ranges"))
import make_cases  # noqa: E402  (the independent matcher)

EXAMPLES = [
    ("PyPI", "jinja2", "2.10", "pkg:pypi/jinja2@2.10"),
    ("PyPI", "jinja2", "2.11.3", "pkg:pypi/jinja2@2.11.3"),
    ("Go", "golang.org/x/text", "0.3.5", "pkg:golang/golang.org/x/text@v0.3.5"),
    ("Go", "golang.org/x/text", "0.3.8", "pkg:golang/golang.org/x/text@v0.3.8"),
]

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/osv")
SEMVER = re.compile(r"^[vV=]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
                    r"(\+[0-9A-Za-z.-]+)?$")

class Loader(yaml.SafeLoader):
    """YAML as vexlake reads it (YAML 1.2): a time is text, not a datetime object."""


Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


schema = tolerant(json.loads((root / "schema" / "osv-schema.json").read_text()))
validator = jsonschema.Draft202012Validator(schema)

files = sorted(p for p in root.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
rejected = []
observations = {}
records_read = 0
for path in files:
    text = path.read_bytes()
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=Loader)
    except Exception:
        rejected.append(str(path.relative_to(root)))
        continue
    if isinstance(doc, dict) and "id" in doc:
        records = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("vulns"), list):
        records = doc["vulns"]
    elif isinstance(doc, list):
        records = doc
    else:
        rejected.append(str(path.relative_to(root)))
        continue
    if any(not validator.is_valid(rec) for rec in records):
        rejected.append(str(path.relative_to(root)))
        continue
    records_read += len(records)
    for rec in records:
        observations[(rec["id"], json.dumps(rec, sort_keys=True, default=str))] = rec

affected = collections.Counter()
ranges = collections.Counter()
events = collections.Counter()
unreadable = collections.Counter()
for rec in observations.values():
    for a in rec.get("affected") or []:
        family = ((a.get("package") or {}).get("ecosystem") or "").split(":")[0]
        affected[family] += 1
        for r in a.get("ranges") or []:
            ranges[r.get("type")] += 1
            for e in r.get("events") or []:
                for kind, v in e.items():
                    events[kind] += 1
                    if r.get("type") == "GIT" or v in ("0", "*"):
                        continue
                    if r.get("type") == "SEMVER" and not SEMVER.match(v):
                        unreadable["SEMVER"] += 1
                    elif r.get("type") == "ECOSYSTEM" and family == "PyPI":
                        try:
                            packaging.version.Version(v)
                        except packaging.version.InvalidVersion:
                            unreadable["PyPI"] += 1

examples = {}
for family, name, version, purl in EXAMPLES:
    hits = set()
    for rec in observations.values():
        if rec.get("withdrawn"):
            continue
        for a in rec.get("affected") or []:
            pkg = a.get("package") or {}
            if (pkg.get("ecosystem") or "").split(":")[0] == family and pkg.get("name") == name:
                if make_cases.state(family, version, a) == "affected":
                    hits.add(rec["id"])
    examples[purl] = sorted(hits)

print(json.dumps({
    "generated_by": "tests/manifests/count_corpus_osv.py",
    "documents": len(files),
    "rejected": sorted(rejected),
    "records_read": records_read,
    "observations": len(observations),
    "withdrawn": sum(1 for r in observations.values() if r.get("withdrawn")),
    "affected_by_family": dict(sorted(affected.items())),
    "ranges_by_type": dict(sorted(ranges.items())),
    "events_by_kind": dict(sorted(events.items())),
    "unreadable_events": dict(sorted(unreadable.items())),
    "examples": examples,
}, indent=1))
