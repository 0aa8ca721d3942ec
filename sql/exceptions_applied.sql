-- The exceptions a run applied (`current_findings`: the rows it wrote), with how many
-- findings each decided: one `exception.applied` event each.
SELECT exception_id, exception_effect, count(*) AS findings
FROM current_findings
WHERE exception_id IS NOT NULL
GROUP BY exception_id, exception_effect
ORDER BY exception_id;
