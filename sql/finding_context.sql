-- The evaluation pipeline, part two: the finding context, the columns a policy rule's `when`
-- may read. It follows sql/evaluate.sql (which ends in `eval_placed`) and the policy's
-- exceptions compiled (engine/src/policy/compile.rs) to the view `eval_exception`: each row
-- with `exception_id` and `exception`, the exception that applies to it (the most specific
-- whose scope holds it and that is in force at the run's clock: image digest > repository >
-- purl@version > purl > vulnerability > tenant, then the newest, then the id), or NULL.
--
-- A `downgrade` exception's severity replaces a higher one (or an unknown one) before the
-- rules run; the advisory's stays in `advisory_severity`. `unknown`: an undecidable match or an
-- unknown severity (DESIGN.md), what unknown budgets count.
CREATE OR REPLACE VIEW finding_context AS
SELECT c.* EXCLUDE (severity),
       CASE
         WHEN c.exception['effect'] = 'downgrade'
              AND coalesce(
                    array_position(make_array('none', 'low', 'medium', 'high', 'critical'),
                                   c.exception['severity'])
                    < array_position(make_array('none', 'low', 'medium', 'high', 'critical'),
                                     c.severity),
                    true)
           THEN c.exception['severity']
         ELSE c.severity
       END AS severity,
       c.severity AS advisory_severity,
       (c.match_level = 1 OR c.severity = 'unknown') AS unknown,
       c.exception['effect'] AS exception_effect
FROM eval_exception c;
