-- Which packages carry the most findings?
SELECT package, count(*) AS findings FROM findings GROUP BY package ORDER BY findings DESC LIMIT 5;
-- Which findings did VEX statements settle, and why?
SELECT vulnerability_id, package, vex_status, vex_justification, vex_issuer FROM findings WHERE vex_status IS NOT NULL;
-- How did a finding come to its verdict?
SELECT vulnerability_id, package, verdict, explained_trace FROM findings ORDER BY cvss_score DESC NULLS LAST LIMIT 3;
