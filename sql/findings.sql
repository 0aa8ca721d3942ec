-- The evaluation pipeline, part two (after sql/evaluate.sql and the policy's compiled view
-- `eval_policy`, which adds to each finding context row the first matching rule's `rule`,
-- `rule_verdict`, `rule_severity`, `escalate`, `annotations`, `warning` and the policy's
-- `default_verdict`): the rows of the new `findings` version, in their canonical order.
--
-- * verdict: the rule's, else the policy's default.
-- * severity: the rule's, else the advisory's; `escalate` raises it one step (none -> low ->
--   medium -> high -> critical; critical and unknown stay).
SELECT c.tenant,
       encode(sha256(concat_ws(chr(31), c.tenant, c.subject, c.purl, c.advisory_id)), 'hex')
         AS finding_key,
       c.subject, c.image_digest, c.sbom_id, c.purl, c.ecosystem, c.package, c.version,
       c.advisory_id AS vulnerability_id, c.source, c.revision AS advisory_revision,
       c.aliases, c.summary,
       c.match_state, c.cvss_score, c.final_severity AS severity,
       coalesce(c.rule_verdict, c.default_verdict) AS verdict,
       c.vex_status, c.vex_justification, c.vex_issuer, c.vex_statement_id,
       CAST(c.k4 AS TINYINT) AS k4, c.vex_trust, c.vex_statement_ids,
       c.reachability, c.runtime, c.score, c.confidence,
       confidence_tier(c.confidence) AS confidence_tier,
       make_array(
         'match:' || CASE WHEN c.match_level = 2 THEN 'affected' ELSE 'unknown' END,
         'severity:' || c.severity
           || coalesce(' (cvss ' || CAST(c.cvss_score AS VARCHAR) || ')', ''),
         'vex:' || CASE
                     WHEN c.k4 IS NULL THEN 'none'
                     WHEN c.k4 = 3 THEN 'conflict (' || array_to_string(c.vex_sides, '; ')
                                        || '); disposition ' || c.vex_disposition
                     ELSE c.vex_status || ' by ' || coalesce(c.vex_issuer, 'unknown issuer')
                   END,
         'rule:' || coalesce(c.rule, 'none (the default verdict ' || c.default_verdict || ')')
           || CASE
                WHEN c.final_severity <> c.severity
                  THEN '; severity ' || c.severity || ' -> ' || c.final_severity
                ELSE ''
              END
           || CASE WHEN c.warning IS NOT NULL THEN '; warning: ' || c.warning ELSE '' END
           || CASE
                WHEN cardinality(c.annotations) > 0
                  THEN '; ' || array_to_string(c.annotations, '; ')
                ELSE ''
              END,
         'evidence:reachability ' || c.reachability || ', runtime ' || c.runtime
           || coalesce(', score ' || CAST(c.score AS VARCHAR), '')
           || ', confidence ' || CAST(c.confidence AS VARCHAR)
       ) AS explained_trace,
       r.policy_id, r.policy_version, r.policy_hash, r.input_versions, r.evaluated_at
FROM (
    SELECT p.*,
           CASE
             WHEN NOT p.escalate THEN coalesce(p.rule_severity, p.severity)
             WHEN coalesce(p.rule_severity, p.severity) = 'critical' THEN 'critical'
             WHEN coalesce(p.rule_severity, p.severity) = 'high' THEN 'critical'
             WHEN coalesce(p.rule_severity, p.severity) = 'medium' THEN 'high'
             WHEN coalesce(p.rule_severity, p.severity) = 'low' THEN 'medium'
             WHEN coalesce(p.rule_severity, p.severity) = 'none' THEN 'low'
             ELSE coalesce(p.rule_severity, p.severity)
           END AS final_severity
    FROM eval_policy p
) c
CROSS JOIN run_context r
ORDER BY c.tenant, r.policy_id, vulnerability_id, c.purl, c.source, c.subject;
