-- The advisories of each package the fleet generator draws from (engine/src/dataset/fleet.rs):
-- the ids its VEX statements speak about. One row per (package key, advisory id), in order.
SELECT DISTINCT package_key, advisory_id
FROM advisory_affected
WHERE package_key IS NOT NULL
ORDER BY package_key, advisory_id;
