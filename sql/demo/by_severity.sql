-- Findings by severity, most severe first.
SELECT severity, count(*) AS findings
FROM findings
GROUP BY severity
ORDER BY CASE severity
           WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
           WHEN 'low' THEN 3 WHEN 'none' THEN 4 ELSE 5
         END;
