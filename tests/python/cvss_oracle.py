#!/usr/bin/env python3
"""Scores CVSS vectors with the independent Python `cvss` package (RedHatProductSecurity).

Reads a JSON list of vectors on stdin, writes a JSON object vector -> base score (null when the
package cannot read the vector). `tests/it/advisories.rs` compares vexlake's `cvss_score` with it
on every vector of the corpus.
"""
import json
import sys

from cvss import CVSS2, CVSS3, CVSS4

out = {}
for vector in json.load(sys.stdin):
    try:
        if vector.startswith("CVSS:4.0/"):
            score = CVSS4(vector).base_score
        elif vector.startswith("CVSS:3."):
            score = CVSS3(vector).base_score
        else:
            score = CVSS2(vector).base_score
        out[vector] = float(score)
    except Exception:
        out[vector] = None
print(json.dumps(out))
