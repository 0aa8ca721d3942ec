-- The ten findings that matter most: worst verdict, then highest evidence-weighted score.
SELECT verdict, severity, cvss_score AS cvss, score, confidence_tier AS confidence,
       vulnerability_id, package, version, vex_status
FROM findings
ORDER BY CASE verdict WHEN 'FAIL' THEN 0 WHEN 'BLOCK' THEN 1 WHEN 'WARN' THEN 2 ELSE 3 END,
         score DESC NULLS LAST, cvss_score DESC NULLS LAST, vulnerability_id, purl
LIMIT 10;
