-- The evaluation pipeline, last part (after sql/evaluate.sql, the compiled exceptions,
-- sql/finding_context.sql and the policy's compiled view `eval_policy`, which adds to each
-- finding context row the first matching rule's `rule`, `rule_verdict`, `rule_severity`,
-- `escalate`, `annotations`, `warning`, every matching rule's id in `matched_rules` and the
-- policy's `default_verdict`): the rows of the new `findings` version, in canonical order.
--
-- 1. The rules and the exception (DESIGN.md, steps 3 and 4):
--    * verdict: the rule's, else the policy's default; then the winning exception's effect:
--      suppress -> PASS; defer (until its date) and require-control -> at most WARN (a
--      downgrade changed the severity before the rules ran).
--    * severity: the rule's, else the context's; `escalate` raises it one step (none -> low ->
--      medium -> high -> critical; critical and unknown stay).
CREATE OR REPLACE VIEW eval_excepted AS
SELECT p.*,
       CASE
         WHEN p.exception_effect = 'suppress' THEN 'PASS'
         WHEN p.exception_effect IN ('defer', 'require-control')
              AND coalesce(p.rule_verdict, p.default_verdict) IN ('BLOCK', 'FAIL')
           THEN 'WARN'
         ELSE coalesce(p.rule_verdict, p.default_verdict)
       END AS excepted_verdict,
       CASE
         WHEN NOT p.escalate THEN coalesce(p.rule_severity, p.severity)
         WHEN coalesce(p.rule_severity, p.severity) = 'critical' THEN 'critical'
         WHEN coalesce(p.rule_severity, p.severity) = 'high' THEN 'critical'
         WHEN coalesce(p.rule_severity, p.severity) = 'medium' THEN 'high'
         WHEN coalesce(p.rule_severity, p.severity) = 'low' THEN 'medium'
         WHEN coalesce(p.rule_severity, p.severity) = 'none' THEN 'low'
         ELSE coalesce(p.rule_severity, p.severity)
       END AS final_severity
FROM eval_policy p;

-- 2. Unknown budgets (DESIGN.md, step 5): each environment counts its unknown findings that
--    still gate (verdict not PASS after the rules and exceptions); against the environment's
--    budget (`policy_budgets`) the count is within, warning (from the warn threshold) or
--    exceeded, and when exceeded every such finding is at least BLOCK.
CREATE OR REPLACE VIEW eval_unknown_counts AS
SELECT tenant, environment,
       sum(CASE WHEN unknown AND excepted_verdict <> 'PASS' THEN 1 ELSE 0 END) AS unknown_count
FROM eval_excepted
GROUP BY tenant, environment;

CREATE OR REPLACE VIEW eval_budgeted AS
SELECT e.*,
       CASE
         WHEN e.unknown AND e.excepted_verdict IN ('WARN', 'BLOCK')
              AND e.budget_state = 'exceeded'
           THEN 'BLOCK'
         ELSE e.excepted_verdict
       END AS verdict
FROM (
    SELECT x.*, n.unknown_count, n.max_unknown, n.budget_state
    -- The counts and budgets (one row an environment) first: a hash join holds its first
    -- side in memory, and the findings stream past it.
    FROM (
        SELECT u.tenant, u.environment, u.unknown_count, b.max_unknown,
               unknown_budget(u.unknown_count, b.max_unknown, b.warn_threshold) AS budget_state
        FROM policy_budgets b
        RIGHT JOIN eval_unknown_counts u ON b.environment = u.environment
    ) n
    RIGHT JOIN eval_excepted x ON n.tenant = x.tenant AND n.environment = x.environment
) e;

-- 3. The rows. explained_trace is one JSON object: the verdict; `steps`, each step of the
--    decision as a line of text; `rules_matched`, every rule whose condition held, in the
--    order tried (the first decided: `rule`); the winning `exception`; the environment's
--    unknown `budget`; and the `inputs` the rules saw.
SELECT c.tenant,
       encode(sha256(concat_ws(chr(31), c.tenant, c.subject, c.purl, c.advisory_id)), 'hex')
         AS finding_key,
       c.subject, c.image_digest, c.sbom_id, c.purl, c.ecosystem, c.package, c.version,
       c.advisory_id AS vulnerability_id, c.source, c.revision AS advisory_revision,
       c.advisory_sha256,
       c.aliases, c.summary,
       c.match_state, c.unknown, c.cvss_score, c.final_severity AS severity,
       c.verdict,
       c.vex_status, c.vex_justification, c.vex_issuer, c.vex_statement_id,
       CAST(c.k4 AS TINYINT) AS k4, c.vex_trust, c.vex_statement_ids,
       c.reachability, c.runtime, c.score, c.confidence,
       confidence_tier(c.confidence) AS confidence_tier,
       c.environment, c.exception_id, c.exception_effect,
       to_json(named_struct(
       'verdict', c.verdict,
       'steps', make_array(
         'match:' || CASE WHEN c.match_level = 2 THEN 'affected' ELSE 'unknown' END,
         'severity:' || c.advisory_severity
           || coalesce(' (cvss ' || CAST(c.cvss_score AS VARCHAR) || ')', '')
           || CASE
                WHEN c.severity <> c.advisory_severity
                  THEN '; downgraded to ' || c.severity || ' by exception ' || c.exception_id
                ELSE ''
              END,
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
         'exception:' || CASE
                           WHEN c.exception_id IS NULL THEN 'none'
                           ELSE c.exception_id || ' (' || c.exception_effect
                             || coalesce(' to ' || c.exception['severity'], '')
                             || coalesce(' until ' || CAST(c.exception['until'] AS VARCHAR), '')
                             || coalesce(' with control ' || c.exception['control'], '')
                             || '; scope ' || c.exception['scope']
                             || '; owner ' || c.exception['owner']
                             || coalesce('; expires ' || CAST(c.exception['expires'] AS VARCHAR), '')
                             || '; reason: ' || c.exception['reason'] || ')'
                         END,
         'environment:' || c.environment
           || CASE
                WHEN c.max_unknown IS NULL THEN '; no unknown budget'
                ELSE '; unknown budget ' || CAST(c.unknown_count AS VARCHAR) || ' of '
                  || CAST(c.max_unknown AS VARCHAR) || ' (' || c.budget_state || ')'
                  || CASE
                       WHEN NOT c.unknown OR c.excepted_verdict = 'PASS' THEN ''
                       WHEN c.budget_state = 'exceeded' THEN '; this unknown finding blocks'
                       WHEN c.budget_state = 'warning' THEN '; warning: near the budget'
                       ELSE ''
                     END
              END,
         'evidence:reachability ' || c.reachability || ', runtime ' || c.runtime
           || coalesce(', score ' || CAST(c.score AS VARCHAR), '')
           || ', confidence ' || CAST(c.confidence AS VARCHAR)
       ),
       'rules_matched', c.matched_rules,
       'rule', c.rule,
       'exception', c.exception,
       'budget', named_struct(
         'environment', c.environment, 'unknown', c.unknown_count,
         'max_unknown', c.max_unknown, 'state', c.budget_state),
       'inputs', named_struct(
         'match_state', c.match_state, 'unknown', c.unknown,
         'advisory_severity', c.advisory_severity, 'severity', c.severity,
         'cvss_score', c.cvss_score, 'vex_status', c.vex_status, 'k4', c.k4,
         'vex_trust', c.vex_trust, 'reachability', c.reachability, 'runtime', c.runtime,
         'score', c.score, 'confidence', c.confidence, 'environment', c.environment,
         'repository', c.repository)
       )) AS explained_trace,
       r.policy_id, r.policy_version, r.policy_hash, r.input_versions, r.evaluated_at
-- The one-row table first: a cross join holds its first side in memory.
FROM run_context r
CROSS JOIN eval_budgeted c
ORDER BY c.tenant, r.policy_id, vulnerability_id, c.purl, c.source, c.subject;
