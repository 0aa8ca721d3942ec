-- The evaluation pipeline (DESIGN.md, "Evaluation as SQL"), part one: the matches.
--
-- Inputs: the lake tables pinned at the versions the run loaded, and `run_context`, a one-row
-- table with the run's tenant, clock (`evaluated_at`, from --as-of), policy identity and input
-- table versions.
-- It ends in the view `eval_matches`, which the run computes once and keeps as a table (every
-- later step reads it twice; computed as a view it would be computed twice): every component
-- of the run's subjects that an advisory's linkset names, with how the version matched.
-- sql/evaluate.sql goes on from there.
--
-- Every join has its small side first: a hash join holds its first side in memory and the
-- other streams past it. The session keeps that order (no statistics-driven reordering).
--
-- `eval_advisories` and `eval_affected` read the lake alone, not the subjects' rows: a run
-- computes each once, as soon as it is defined, and keeps it as a table (as `eval_vex_keys`
-- in sql/evaluate.sql); a check of one subject after another computes them once for all.

-- 1. Components of the tenant's SBOMs that can be matched: a purl, a package key, a version.
--    subject_key is the package key of what the SBOM describes (for VEX product scope).
--    source_key: for Debian, Ubuntu and Alpine packages, the key of the source package the
--    purl names in its `upstream` qualifier (`libssl3` is built from `openssl`): those
--    distributions' advisories name source packages.
CREATE OR REPLACE VIEW eval_components AS
SELECT c.tenant,
       coalesce(c.image_digest, c.sbom_id) AS subject,
       c.image_digest, c.sbom_id, c.purl, c.ecosystem, c.package_key,
       CASE
         WHEN c.source_package IS NOT NULL AND purl_type(c.purl) IN ('deb', 'apk')
           THEN purl_package_key(concat(
                  'pkg:', purl_type(c.purl), '/', purl_namespace(c.purl), '/',
                  split_part(split_part(c.source_package, '@', 1), ' ', 1)))
       END AS source_key,
       c.name AS package, c.version, d.subject_key, c.cpe,
       -- The component's BOM-Link without the BOM version, as vex_consensus.bom_link.
       CASE
         WHEN starts_with(d.serial_number, 'urn:uuid:') AND c.bom_ref IS NOT NULL
           THEN 'urn:cdx:' || substr(d.serial_number, 10) || '#' || c.bom_ref
       END AS bom_link
-- The documents (one row an SBOM) first: a hash join holds its first side in memory, and the
-- components (millions in a fleet) stream past it.
FROM artifacts d
RIGHT JOIN (run_context r JOIN components c ON c.tenant = r.tenant)
  ON c.tenant = d.tenant AND c.sbom_id = d.sbom_id
WHERE c.view = 'inventory'
  AND c.package_key IS NOT NULL
  AND c.version IS NOT NULL;

-- 2. The tenant's advisories: the latest, non-withdrawn revision of each (advisories_current),
--    with what the findings show of it and the sha256 of its advisory_raw row.
CREATE OR REPLACE VIEW eval_advisories AS
SELECT o.tenant, o.source, o.advisory_id, o.revision, o.aliases, o.summary, o.severities,
       o.database_severity, ar.content_sha256
FROM run_context r
JOIN advisories_current o ON o.tenant = r.tenant
LEFT JOIN advisory_raw ar
  ON o.tenant = ar.tenant AND o.source = ar.source
 AND o.advisory_id = ar.advisory_id AND o.revision = ar.revision;

--    Their linksets that say a package is affected: OSV's, and a CSAF advisory's affected and
--    fixed products (a fixed product is a range fixed at its version). Not-affected and
--    under-investigation products, and NVD's CPE linksets (no package ecosystem), do not match
--    packages.
CREATE OR REPLACE VIEW eval_affected AS
SELECT a.tenant, a.source, a.advisory_id, a.revision, a.ecosystem, a.package_key,
       a.ranges, a.versions
FROM eval_advisories ac
JOIN advisory_affected a
  ON a.tenant = ac.tenant AND a.source = ac.source
 AND a.advisory_id = ac.advisory_id AND a.revision = ac.revision
WHERE a.status IN ('affected', 'known_affected', 'first_affected', 'last_affected', 'fixed',
                   'first_fixed');

-- 3. Matches: same package key (the component's or its source package's), compatible ecosystem (an advisory without a release matches
--    every release of its family; families never cross), version in a range or listed.
--    match_level 2 = affected, 1 = undecidable (an *unknown* finding), 0 = not affected.
CREATE OR REPLACE VIEW eval_matches AS
SELECT tenant, subject, image_digest, sbom_id, purl, ecosystem, package, version, package_key,
       subject_key, cpe, bom_link, source, advisory_id, revision, max(level) AS match_level
FROM (
    SELECT c.tenant, c.subject, c.image_digest, c.sbom_id, c.purl, c.ecosystem, c.package,
           c.version, c.package_key, c.subject_key, c.cpe, c.bom_link, a.source, a.advisory_id,
           a.revision,
           CASE
             WHEN coalesce(array_has(a.versions, c.version), false) THEN 2
             ELSE CASE version_in_range(a.ecosystem, c.version, a.ranges)
                    WHEN true THEN 2
                    WHEN false THEN 0
                    ELSE 1
                  END
           END AS level
    -- The linksets (thousands) first, the components stream past them.
    FROM eval_affected a
    JOIN (
        -- Every key a component answers to: its own, and its source package's.
        SELECT *, package_key AS match_key FROM eval_components
        UNION ALL
        SELECT *, source_key AS match_key FROM eval_components
        WHERE source_key IS NOT NULL AND source_key <> package_key
    ) c
      ON c.tenant = a.tenant AND c.match_key = a.package_key
    WHERE split_part(a.ecosystem, ':', 1) = split_part(c.ecosystem, ':', 1)
      AND (a.ecosystem = c.ecosystem
           OR strpos(a.ecosystem, ':') = 0
           OR strpos(c.ecosystem, ':') = 0)
) pairs
GROUP BY tenant, subject, image_digest, sbom_id, purl, ecosystem, package, version, package_key,
         subject_key, cpe, bom_link, source, advisory_id, revision
HAVING max(level) > 0;
