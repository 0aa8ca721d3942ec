-- What one evaluation run changed (DESIGN.md, finding_changes): the findings version it wrote
-- (`current_findings`) against the version before it (`previous_findings`), for the run's
-- tenant. `change_context` is one row: tenant, from_version, to_version, evaluated_at.
--
-- * new: a finding the previous version did not have; resolved: one the run no longer has;
-- * verdict_changed: the same finding_key with another verdict (its severity may have changed
--   too; both are reported); severity_changed: the same verdict, another severity.
SELECT r.tenant, j.finding_key, j.change, r.from_version, r.to_version,
       j.old_verdict, j.new_verdict, j.old_severity, j.new_severity, r.evaluated_at
-- The one-row table first: a cross join holds its first side in memory.
FROM change_context r
CROSS JOIN (
    SELECT coalesce(n.finding_key, o.finding_key) AS finding_key,
           CASE
             WHEN o.finding_key IS NULL THEN 'new'
             WHEN n.finding_key IS NULL THEN 'resolved'
             WHEN (o.verdict IS DISTINCT FROM n.verdict) THEN 'verdict_changed'
             ELSE 'severity_changed'
           END AS change,
           o.verdict AS old_verdict, n.verdict AS new_verdict,
           o.severity AS old_severity, n.severity AS new_severity
    FROM (SELECT finding_key, verdict, severity
          FROM previous_findings p JOIN change_context c ON p.tenant = c.tenant) o
    FULL OUTER JOIN (SELECT finding_key, verdict, severity
                     FROM current_findings f JOIN change_context c ON f.tenant = c.tenant) n
      ON o.finding_key = n.finding_key
    -- (Each IS DISTINCT FROM in parentheses: the parser binds it looser than OR.)
    WHERE o.finding_key IS NULL
       OR n.finding_key IS NULL
       OR (o.verdict IS DISTINCT FROM n.verdict)
       OR (o.severity IS DISTINCT FROM n.severity)
) j
ORDER BY j.finding_key;
