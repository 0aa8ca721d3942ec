-- advisory_aliases: one vulnerability as the sources see it, without merging them. One row per
-- (alias group, source, advisory record) of advisories_current. A record joins the group of
-- each CVE id it carries (its own id, or one of its aliases), so the NVD record CVE-X, a GHSA
-- record aliasing CVE-X and a Red Hat advisory fixing CVE-X and CVE-Y show up together under
-- CVE-X (and the Red Hat one under CVE-Y as well). A record that names no CVE forms the group of
-- the smallest id among its own and its aliases (GO-… and the GHSA-… it aliases meet there).
CREATE OR REPLACE VIEW advisory_aliases AS
WITH ids AS (
    SELECT tenant, source, advisory_id, revision, advisory_id AS id
    FROM advisories_current
    UNION ALL
    SELECT tenant, source, advisory_id, revision, unnest(aliases) AS id
    FROM advisories_current
),
has_cve AS (
    SELECT tenant, source, advisory_id, bool_or(starts_with(id, 'CVE-')) AS any_cve, min(id) AS smallest
    FROM ids
    GROUP BY tenant, source, advisory_id
)
SELECT DISTINCT i.tenant, i.id AS alias_group, i.source, i.advisory_id, i.revision
FROM ids i
JOIN has_cve h
  ON i.tenant = h.tenant AND i.source = h.source AND i.advisory_id = h.advisory_id
WHERE (h.any_cve AND starts_with(i.id, 'CVE-'))
   OR (NOT h.any_cve AND i.id = h.smallest);
