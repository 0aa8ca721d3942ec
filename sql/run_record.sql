-- The record of the evaluation run that wrote a findings version (what `vexlake replay` reads):
-- its evaluation.completed event. $1: the tenant; $2: the subject, `findings@<version>`.
SELECT payload, table_versions
FROM events
WHERE tenant = $1
  AND stream = 'policy:evaluated'
  AND type = 'evaluation.completed'
  AND subject = $2;
