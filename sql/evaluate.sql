-- The evaluation pipeline (DESIGN.md, "Evaluation as SQL"), part two: evidence and scores.
--
-- Inputs: the lake tables pinned at the versions the run loaded; `run_context`, a one-row
-- table with the run's tenant, clock (`evaluated_at`, from --as-of), policy identity and the
-- input table versions; `eval_matches`, from sql/matches.sql (steps 1 to 3); the policy's
-- tables (compiled from its file, engine/src/policy): `policy_weights` (one row) and
-- `policy_environments` here.
-- It ends in the view `eval_placed`: every match with its evidence, scores and subject. The
-- policy's exceptions, compiled (engine/src/policy/compile.rs), become the view
-- `eval_exception`; sql/finding_context.sql gives `finding_context`, the columns a policy
-- rule's `when` may use; the rules, compiled, become the view `eval_policy`; sql/findings.sql
-- then gives the rows of the new `findings` version.

-- 4. The highest CVSS base score among each advisory revision's vectors.
--    Only the revisions something matched: a vector is parsed to score it.
CREATE OR REPLACE VIEW eval_cvss AS
SELECT tenant, source, advisory_id, revision, max(cvss_score(sev['vector'])) AS cvss_score
FROM (
    SELECT o.tenant, o.source, o.advisory_id, o.revision, unnest(o.severities) AS sev
    FROM (SELECT DISTINCT tenant, source, advisory_id, revision FROM eval_matches) m
    JOIN eval_advisories o
      ON o.tenant = m.tenant AND o.source = m.source
     AND o.advisory_id = m.advisory_id AND o.revision = m.revision
) s
GROUP BY tenant, source, advisory_id, revision;

-- 5. Matches with their advisory's aliases, summary and severity, and the back-link to the
--    advisory_raw row of the revision (its content sha256).
CREATE OR REPLACE VIEW eval_candidates AS
SELECT m.*, o.content_sha256 AS advisory_sha256, o.aliases, o.summary, o.cvss_score,
       CASE
         WHEN o.cvss_score >= 9.0 THEN 'critical'
         WHEN o.cvss_score >= 7.0 THEN 'high'
         WHEN o.cvss_score >= 4.0 THEN 'medium'
         WHEN o.cvss_score > 0.0 THEN 'low'
         WHEN o.cvss_score = 0.0 THEN 'none'
         WHEN lower(o.database_severity) IN ('critical', 'high', 'medium', 'low')
           THEN lower(o.database_severity)
         WHEN lower(o.database_severity) = 'moderate' THEN 'medium'
         ELSE 'unknown'
       END AS severity
-- The advisories (one row a revision) first, the matches stream past them.
FROM (
    SELECT o.tenant, o.source, o.advisory_id, o.revision, o.aliases, o.summary,
           o.database_severity, s.cvss_score, o.content_sha256
    FROM eval_advisories o
    LEFT JOIN eval_cvss s
      ON o.tenant = s.tenant AND o.source = s.source
     AND o.advisory_id = s.advisory_id AND o.revision = s.revision
) o
JOIN eval_matches m
  ON m.tenant = o.tenant AND m.source = o.source
 AND m.advisory_id = o.advisory_id AND m.revision = o.revision;

-- 6. The VEX consensus about each candidate (vex_consensus, which already counts every alias of
--    the vulnerability): the rows whose product is the component's package (its purl key;
--    qualifiers both carry must agree), a subcomponent of what the SBOM describes or of the
--    image, the whole image by digest, the component's CPE or its BOM-Link; and whose version,
--    when the row names one, is the component's (by the ecosystem's comparison), or whose range
--    holds it. The rows are joined again on K4 (join is associative, so this is the join over
--    all their statements) and the winner is the best of their winners, by the same order.
--    The five ways a row's product can name a candidate are five scope keys on each side, so
--    the join is on equal keys (one on the vulnerability alone pairs every candidate of a
--    vulnerability with every row about it). A row that names a candidate in two ways is
--    counted twice, which changes nothing: K4's join is idempotent and the winner the same.
--    The consensus rows with their keys read the lake alone: kept, like eval_affected. A NULL
--    key (a way the row does not name a product) can join nothing and is left out.
CREATE OR REPLACE VIEW eval_vex_keys AS
SELECT *
FROM (
    SELECT v.*, unnest(make_array(
             CASE WHEN v.subcomponent_key IS NULL THEN 'p:' || v.package_key END,
             's:' || v.subcomponent_key,
             CASE WHEN v.subcomponent_key IS NULL THEN 'd:' || v.product_digest END,
             CASE WHEN v.subcomponent_key IS NULL THEN 'c:' || v.product_cpe END,
             'b:' || v.bom_link)) AS scope_key
    FROM run_context r
    JOIN vex_consensus v ON v.tenant = r.tenant
) k
WHERE scope_key IS NOT NULL;

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
-- The consensus rows first, the candidates stream past them.
FROM eval_vex_keys v
JOIN (
    SELECT m.*, unnest(make_array(
             'p:' || m.package_key, 's:' || m.package_key, 'd:' || m.image_digest,
             'c:' || m.cpe, 'b:' || m.bom_link)) AS scope_key
    FROM eval_matches m
) f
  ON f.tenant = v.tenant AND f.advisory_id = v.vulnerability_id AND f.scope_key = v.scope_key
-- A subcomponent of what the SBOM describes, or of the image.
WHERE (NOT starts_with(v.scope_key, 's:')
       OR v.package_key = f.subject_key OR v.product_digest = f.image_digest)
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
-- The verdicts (the candidates a VEX statement speaks about) first.
FROM eval_vex v
RIGHT JOIN eval_candidates c
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
-- The evidence tables first (right joins), the candidates stream past them.
FROM eval_runtime rt
RIGHT JOIN (
    (SELECT DISTINCT tenant, subject FROM eval_usage) us
    RIGHT JOIN (
        eval_usage u
        RIGHT JOIN eval_vexed c
          ON c.tenant = u.tenant AND c.subject = u.subject AND c.purl = u.purl
    ) ON c.tenant = us.tenant AND c.subject = us.subject
) ON c.tenant = rt.tenant AND c.image_digest = rt.image_digest
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
