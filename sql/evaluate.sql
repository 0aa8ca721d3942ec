-- The evaluation pipeline (DESIGN.md, "Evaluation as SQL"), part one: matches and evidence.
--
-- Inputs: the lake tables pinned at the versions the run loaded; `run_context`, a one-row
-- table with the run's tenant, clock (`evaluated_at`, from --as-of), policy identity and the
-- input table versions; the policy's tables (compiled from its file, engine/src/policy):
-- `policy_weights` (one row) and `policy_environments` here.
-- It ends in the view `eval_placed`: every match with its evidence, scores and subject. The
-- policy's exceptions, compiled (engine/src/policy/compile.rs), become the view
-- `eval_exception`; sql/finding_context.sql gives `finding_context`, the columns a policy
-- rule's `when` may use; the rules, compiled, become the view `eval_policy`; sql/findings.sql
-- then gives the rows of the new `findings` version.

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
FROM components c
JOIN run_context r ON c.tenant = r.tenant
LEFT JOIN artifacts d ON c.tenant = d.tenant AND c.sbom_id = d.sbom_id
WHERE c.view = 'inventory'
  AND c.package_key IS NOT NULL
  AND c.version IS NOT NULL;

-- 2. Linksets of the latest, non-withdrawn revision of each advisory that say a package is
--    affected: OSV's, and a CSAF advisory's affected and fixed products (a fixed product is a
--    range fixed at its version). Not-affected and under-investigation products, and NVD's CPE
--    linksets (no package ecosystem), do not match packages.
CREATE OR REPLACE VIEW eval_affected AS
SELECT a.tenant, a.source, a.advisory_id, a.revision, a.ecosystem, a.package_key,
       a.ranges, a.versions
FROM advisory_affected a
JOIN advisories_current ac
  ON a.tenant = ac.tenant AND a.source = ac.source
 AND a.advisory_id = ac.advisory_id AND a.revision = ac.revision
JOIN run_context r ON a.tenant = r.tenant
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
    FROM (
        -- Every key a component answers to: its own, and its source package's.
        SELECT *, package_key AS match_key FROM eval_components
        UNION ALL
        SELECT *, source_key AS match_key FROM eval_components
        WHERE source_key IS NOT NULL AND source_key <> package_key
    ) c
    JOIN eval_affected a
      ON c.tenant = a.tenant AND c.match_key = a.package_key
    WHERE split_part(a.ecosystem, ':', 1) = split_part(c.ecosystem, ':', 1)
      AND (a.ecosystem = c.ecosystem
           OR strpos(a.ecosystem, ':') = 0
           OR strpos(c.ecosystem, ':') = 0)
) pairs
GROUP BY tenant, subject, image_digest, sbom_id, purl, ecosystem, package, version, package_key,
         subject_key, cpe, bom_link, source, advisory_id, revision
HAVING max(level) > 0;

-- 4. The highest CVSS base score among each advisory revision's vectors.
CREATE OR REPLACE VIEW eval_cvss AS
SELECT tenant, source, advisory_id, revision, max(cvss_score(sev['vector'])) AS cvss_score
FROM (
    SELECT tenant, source, advisory_id, revision, unnest(severities) AS sev
    FROM advisories_current
) s
GROUP BY tenant, source, advisory_id, revision;

-- 5. Matches with their advisory's aliases, summary and severity, and the back-link to the
--    advisory_raw row of the revision (its content sha256).
CREATE OR REPLACE VIEW eval_candidates AS
SELECT m.*, ar.content_sha256 AS advisory_sha256, o.aliases, o.summary, s.cvss_score,
       CASE
         WHEN s.cvss_score >= 9.0 THEN 'critical'
         WHEN s.cvss_score >= 7.0 THEN 'high'
         WHEN s.cvss_score >= 4.0 THEN 'medium'
         WHEN s.cvss_score > 0.0 THEN 'low'
         WHEN s.cvss_score = 0.0 THEN 'none'
         WHEN lower(o.database_severity) IN ('critical', 'high', 'medium', 'low')
           THEN lower(o.database_severity)
         WHEN lower(o.database_severity) = 'moderate' THEN 'medium'
         ELSE 'unknown'
       END AS severity
FROM eval_matches m
JOIN advisories_current o
  ON m.tenant = o.tenant AND m.source = o.source
 AND m.advisory_id = o.advisory_id AND m.revision = o.revision
LEFT JOIN eval_cvss s
  ON m.tenant = s.tenant AND m.source = s.source
 AND m.advisory_id = s.advisory_id AND m.revision = s.revision
LEFT JOIN advisory_raw ar
  ON m.tenant = ar.tenant AND m.source = ar.source
 AND m.advisory_id = ar.advisory_id AND m.revision = ar.revision;

-- 6. The VEX consensus about each candidate (vex_consensus, which already counts every alias of
--    the vulnerability): the rows whose product is the component's package (its purl key;
--    qualifiers both carry must agree), a subcomponent of what the SBOM describes or of the
--    image, the whole image by digest, the component's CPE or its BOM-Link; and whose version,
--    when the row names one, is the component's (by the ecosystem's comparison), or whose range
--    holds it. The rows are joined again on K4 (join is associative, so this is the join over
--    all their statements) and the winner is the best of their winners, by the same order.
CREATE OR REPLACE VIEW eval_vex AS
SELECT f.tenant, f.subject, f.purl, f.source, f.advisory_id,
       k4_join(v.k4) AS k4,
       first_value(named_struct(
           'status', v.status, 'issuer', v.winner_issuer, 'statement_id', v.winner_statement_id,
           'justification', v.justification, 'trust', v.trust)
         ORDER BY CASE WHEN v.status = 'under_investigation' THEN 1 ELSE 0 END,
                  v.winner_priority, v.trust DESC, v.winner_timestamp DESC NULLS LAST, v.winner_statement_id)
         AS winner,
       array_sort(array_distinct(flatten(array_agg(v.statement_ids)))) AS statement_ids,
       array_sort(array_distinct(flatten(array_agg(v.sides)))) AS sides
FROM eval_candidates f
JOIN vex_consensus v
  ON f.tenant = v.tenant AND f.advisory_id = v.vulnerability_id
WHERE ((v.subcomponent_key IS NULL AND v.package_key = f.package_key)
       OR (v.subcomponent_key = f.package_key
           AND (v.package_key = f.subject_key OR v.product_digest = f.image_digest))
       OR (v.subcomponent_key IS NULL AND v.product_digest = f.image_digest)
       OR (v.subcomponent_key IS NULL AND v.product_cpe = f.cpe)
       OR v.bom_link = f.bom_link)
  AND (v.target_version IS NULL
       OR v.target_version = f.version
       OR version_cmp(f.ecosystem, v.target_version, f.version) = 0)
  AND (v.target_range IS NULL OR coalesce(vers_contains(v.target_range, f.version), false))
  AND coalesce(purl_qualifiers_agree(v.target_purl, f.purl), true)
GROUP BY f.tenant, f.subject, f.purl, f.source, f.advisory_id;

-- 7. The VEX verdict of each candidate: the consensus of the rows that apply (step 6), and
--    the columns the trace and the policy's rules read.
CREATE OR REPLACE VIEW eval_vexed AS
SELECT c.*, v.k4,
       CASE
         WHEN v.k4 = 1 THEN 'affected'
         WHEN v.k4 = 0 THEN 'under_investigation'
         WHEN v.k4 = 3 THEN 'conflict'
         ELSE v.winner['status']
       END AS vex_status,
       v.winner['justification'] AS vex_justification,
       v.winner['issuer'] AS vex_issuer, v.winner['statement_id'] AS vex_statement_id,
       v.winner['trust'] AS vex_trust, v.statement_ids AS vex_statement_ids, v.sides AS vex_sides,
       v.winner['status'] || ' by ' || coalesce(v.winner['issuer'], 'unknown issuer')
         AS vex_disposition
FROM eval_candidates c
LEFT JOIN eval_vex v
  ON c.tenant = v.tenant AND c.subject = v.subject AND c.purl = v.purl
 AND c.source = v.source AND c.advisory_id = v.advisory_id;

-- 8. Evidence about each candidate, and what it scores (DESIGN.md, steps 2 and 6).
--    * reachability: `reachable` when the subject's usage view (its components of view
--      'usage') holds the purl, `not_reachable` when the subject has a usage view without it,
--      `unknown` when it has none; scored 1.0 / 0.0 / 0.5.
--    * runtime: the newest runtime signal for (image digest, purl) observed by the run's clock:
--      `loaded` or `not_loaded`; `unknown` without one; scored 1.0 / 0.0 / 0.5.
--    * score = evidence_score(cvss, trust of the claim that the component is affected,
--      reachability, runtime): that trust is 1.0 when no VEX speaks, the winner's trust for
--      affected, 0.0 for not_affected or fixed, 0.5 for under_investigation or a conflict. NULL
--      without a CVSS score.
--    * confidence over how much is known: reachability 1 when known (either way) else 0;
--      runtime 1 with a signal else 0; VEX the winner's trust when the consensus takes a side,
--      0.25 under investigation, 0 in conflict, 0.5 when no VEX speaks; provenance 1 for a
--      severity computed from a CVSS vector, 0.5 for a database's word, 0 unknown; policy 1
--      for a decided match, 0 for an undecidable one.
CREATE OR REPLACE VIEW eval_usage AS
SELECT DISTINCT c.tenant, coalesce(c.image_digest, c.sbom_id) AS subject, c.purl
FROM components c
JOIN run_context r ON c.tenant = r.tenant
WHERE c.view = 'usage';

CREATE OR REPLACE VIEW eval_runtime AS
SELECT s.tenant, s.image_digest, purl_normalize(s.purl) AS purl_key,
       -- Signals of the same time that disagree: loaded wins, the cautious reading.
       first_value(s.loaded ORDER BY s.observed_at DESC, s.loaded DESC) AS loaded
FROM runtime_signals s
JOIN run_context r ON s.tenant = r.tenant
WHERE s.observed_at <= r.evaluated_at
GROUP BY s.tenant, s.image_digest, purl_normalize(s.purl);

CREATE OR REPLACE VIEW eval_evidence AS
SELECT c.*,
       CASE
         WHEN u.purl IS NOT NULL THEN 'reachable'
         WHEN us.subject IS NOT NULL THEN 'not_reachable'
         ELSE 'unknown'
       END AS reachability,
       CASE
         WHEN rt.loaded THEN 'loaded'
         WHEN NOT rt.loaded THEN 'not_loaded'
         ELSE 'unknown'
       END AS runtime
FROM eval_vexed c
LEFT JOIN eval_usage u
  ON c.tenant = u.tenant AND c.subject = u.subject AND c.purl = u.purl
LEFT JOIN (SELECT DISTINCT tenant, subject FROM eval_usage) us
  ON c.tenant = us.tenant AND c.subject = us.subject
LEFT JOIN eval_runtime rt
  ON c.tenant = rt.tenant AND c.image_digest = rt.image_digest
 AND purl_normalize(c.purl) = rt.purl_key;

-- 9. Every column above, with the score and the confidence under the policy's weights, and
--    match_state.
CREATE OR REPLACE VIEW eval_scored AS
SELECT e.*,
       CASE WHEN e.match_level = 2 THEN 'affected' ELSE 'unknown' END AS match_state,
       evidence_score(
         e.cvss_score,
         CASE
           WHEN e.k4 IS NULL THEN 1.0
           WHEN e.k4 = 1 THEN e.vex_trust
           WHEN e.k4 = 2 THEN 0.0
           ELSE 0.5
         END,
         CASE e.reachability WHEN 'reachable' THEN 1.0 WHEN 'not_reachable' THEN 0.0 ELSE 0.5 END,
         CASE e.runtime WHEN 'loaded' THEN 1.0 WHEN 'not_loaded' THEN 0.0 ELSE 0.5 END,
         w.score_severity, w.score_trust, w.score_reachability, w.score_runtime
       ) AS score,
       confidence(
         CASE WHEN e.reachability = 'unknown' THEN 0.0 ELSE 1.0 END,
         CASE WHEN e.runtime = 'unknown' THEN 0.0 ELSE 1.0 END,
         CASE
           WHEN e.k4 IS NULL THEN 0.5
           WHEN e.k4 IN (1, 2) THEN e.vex_trust
           WHEN e.k4 = 0 THEN 0.25
           ELSE 0.0
         END,
         CASE
           WHEN e.cvss_score IS NOT NULL THEN 1.0
           WHEN e.severity <> 'unknown' THEN 0.5
           ELSE 0.0
         END,
         CASE WHEN e.match_level = 2 THEN 1.0 ELSE 0.0 END,
         w.confidence_reachability, w.confidence_runtime, w.confidence_vex,
         w.confidence_provenance, w.confidence_policy
       ) AS confidence
-- The one-row table first: a cross join holds its first side in memory.
FROM policy_weights w
CROSS JOIN eval_evidence e;

-- 10. Subjects: their repository (an image's, from a scan; for an ingested SBOM the
--     `repository_url` of the pkg:oci purl it describes, else that component's name), the
--     version of that purl (`subject_version`), their labels (`key=value`: the image's, and
--     the SBOM's metadata properties) and their environment: the first of the policy's
--     environments (`policy_environments`, in file order) whose repository pattern and label
--     both match, else `default`.
CREATE OR REPLACE VIEW eval_subject_facts AS
SELECT a.tenant, coalesce(a.image_digest, a.sbom_id) AS subject,
       min(coalesce(i.repository, purl_qualifier(a.subject_purl, 'repository_url'),
                    a.document_name)) AS repository,
       min(purl_version(a.subject_purl)) AS subject_version,
       array_sort(array_distinct(flatten(array_agg(
         array_concat(coalesce(i.labels, make_array()), coalesce(a.labels, make_array()))))))
         AS labels
FROM artifacts a
JOIN run_context r ON a.tenant = r.tenant
LEFT JOIN images i ON a.tenant = i.tenant AND a.image_digest = i.image_digest
GROUP BY a.tenant, coalesce(a.image_digest, a.sbom_id);

CREATE OR REPLACE VIEW eval_subjects AS
SELECT s.tenant, s.subject, s.repository, s.subject_version, s.labels,
       coalesce(first_value(e.name ORDER BY e.position), 'default') AS environment
FROM eval_subject_facts s
LEFT JOIN policy_environments e
  ON (e.repository_regex IS NULL
      OR coalesce(regexp_like(s.repository, e.repository_regex), false))
 AND (e.label_regex IS NULL
      OR regexp_like(array_to_string(s.labels, chr(10)), e.label_regex))
GROUP BY s.tenant, s.subject, s.repository, s.subject_version, s.labels;

CREATE OR REPLACE VIEW eval_placed AS
SELECT c.*, coalesce(s.environment, 'default') AS environment, s.repository,
       s.subject_version, s.labels
-- The subjects (few) first: a hash join holds its first side in memory.
FROM eval_subjects s
RIGHT JOIN eval_scored c ON s.tenant = c.tenant AND s.subject = c.subject;
