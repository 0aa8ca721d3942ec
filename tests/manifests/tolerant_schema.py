"""A JSON schema as vexlake applies it: `"additionalProperties": false` and `format` annotations
dropped (fields added by later revisions of a format, and NVD's offset-less times, are
tolerated), every other rule kept. Shared by the corpus counters."""


def tolerant(v):
    if isinstance(v, dict):
        return {k: tolerant(x) for k, x in v.items()
                if not (k == "additionalProperties" and x is False)
                and not (k == "format" and isinstance(x, str))}
    if isinstance(v, list):
        return [tolerant(x) for x in v]
    return v
