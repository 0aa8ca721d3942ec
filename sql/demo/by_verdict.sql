-- Findings by verdict, most severe first.
SELECT verdict, count(*) AS findings
FROM findings
GROUP BY verdict
ORDER BY CASE verdict WHEN 'FAIL' THEN 0 WHEN 'BLOCK' THEN 1 WHEN 'WARN' THEN 2 ELSE 3 END;
