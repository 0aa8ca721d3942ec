-- Which packages carry the most findings?
SELECT package, count(*) AS findings FROM findings GROUP BY package ORDER BY findings DESC LIMIT 5;
-- Which images and SBOMs are worst off?
SELECT subject, count(*) AS findings, sum(CASE WHEN verdict IN ('FAIL', 'BLOCK') THEN 1 ELSE 0 END) AS blocking FROM findings GROUP BY subject ORDER BY blocking DESC;
-- How did a finding come to its verdict?
SELECT vulnerability_id, package, verdict, explained_trace FROM findings ORDER BY cvss_score DESC NULLS LAST LIMIT 3;
-- What do the VEX issuers say, together, per vulnerability and product?
SELECT vulnerability_id, product_key, k4_label(k4) AS k4, status, winner_issuer FROM vex_consensus ORDER BY vulnerability_id LIMIT 5;
