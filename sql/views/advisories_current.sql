-- advisories_current: the latest revision of every advisory record (tenant, source,
-- advisory_id), unless that revision withdraws it. Older revisions stay in
-- advisory_observations for time travel and audit.
CREATE OR REPLACE VIEW advisories_current AS
SELECT tenant, source, advisory_id, revision, aliases, upstream, summary, details, severities,
       database_severity, "references", cwes, published, modified
FROM (
    SELECT o.*,
           row_number() OVER (
               PARTITION BY tenant, source, advisory_id
               ORDER BY revision DESC
           ) AS latest_rank
    FROM advisory_observations o
) ranked
WHERE latest_rank = 1
  AND withdrawn IS NULL;
