-- The packages the fleet generator (engine/src/dataset/fleet.rs) draws from: every package the
-- lake's advisories name (by package key, a purl without version), with the versions they list
-- or where their ranges begin (`affected` true: such a component matches) and where their
-- ranges are fixed (`affected` false: it does not). One row per (ecosystem, purl, version,
-- affected), in a fixed order.
WITH events AS (
    SELECT ecosystem, package_key, unnest(r['events']) AS e
    FROM (SELECT ecosystem, package_key, unnest(ranges) AS r
          FROM advisory_affected
          WHERE package_key IS NOT NULL) ranges
)
SELECT DISTINCT ecosystem, package_key AS purl, version, affected
FROM (
    SELECT ecosystem, package_key, unnest(versions) AS version, true AS affected
    FROM advisory_affected
    WHERE package_key IS NOT NULL
    UNION ALL
    SELECT ecosystem, package_key, e['introduced'] AS version, true AS affected FROM events
    UNION ALL
    SELECT ecosystem, package_key, e['fixed'] AS version, false AS affected FROM events
) v
WHERE version IS NOT NULL AND version <> '0' AND version <> ''
ORDER BY ecosystem, purl, version, affected;
