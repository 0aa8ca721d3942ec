-- vex_consensus: what the VEX statements of every issuer say together, per (vulnerability id,
-- product key), on Belnap's K4 lattice (DESIGN.md, "K4 (Belnap) lattice").
--
-- * Statements: every row of vex_statements except those whose signature is invalid.
-- * Issuer: the issuers row whose id, name or alias is the statement's issuer (case-insensitive);
--   an issuer the directory does not know counts as community, with trust 0.5.
-- * Vulnerability ids: the statement's own id, its aliases, and every id of the current
--   advisories that carry its id (as their id, an alias, or their one upstream id), so a
--   statement about GHSA-x also speaks about CVE-y when an advisory says they are one, and a
--   statement about CVE-y about Debian's DEBIAN-CVE-y.
-- * Product key: the statement's scope, what it is about, canonically: the target's purl
--   (qualifiers sorted, the deb/rpm epoch in the version; with its version when it names one),
--   `product > subcomponent` for a subcomponent, the image digest, the CPE or the identifier as
--   written; a CycloneDX `vers:` range follows the purl.
-- * Time order: an issuer's newest statements about one (vulnerability, product) supersede its
--   older ones (OpenVEX's statement history: the last one counts); statements of the same time
--   all count.
-- * k4: the knowledge join of k4_from_vex(status) over the remaining statements (affected → true,
--   not_affected and fixed → false, under_investigation → unknown); conflict when both are said.
-- * Winner: a statement that takes a side (not under_investigation) before one that does not,
--   then issuer category (vendor > distro > researcher > community), then trust (to 17
--   decimals), then the newest, then the smallest statement id. status = affected for true,
--   under_investigation for unknown, else the winner's status (its disposition, also for a
--   conflict).
-- * trust (of a statement; the winner's is reported): issuer trust × BaseTrust × freshness, with
--   BaseTrust = 0.45·P + 0.35·C + 0.20·R; P provenance = 1.0 when its signature verified with a
--   key the issuer directory gives the issuer, 0.75 when it verified with another trusted key,
--   0.40 unsigned; C coverage = 1.0 for an image digest or a BOM-Link, 0.75 for a version or a
--   range, 0.5 for a versionless purl, 0.25 otherwise (a CPE, an identifier, no product); R
--   replayability = 1.0 (every statement is kept with its raw text and document digest);
--   freshness = exp(−ln 2 · age_days / 90), the age from the statement's time (else when it
--   was ingested) to session_clock.as_of (evaluation's --as-of).
-- * The other columns carry what evaluation needs to decide whether a row applies to a
--   component, as the winner states it (package_key, subcomponent_key, target_purl,
--   target_version, target_range, product_cpe, product_digest, bom_link; its statements share
--   the product key, so these agree but for how they were written), the sides ("status by
--   issuer") and every contributing statement id.
-- * Memory: every aggregate here is one DataFusion keeps column-wise per group (k4_join, min,
--   max, array_agg), and every join builds its smaller input; 10 million statements take
--   about 7 GB (README, "Scale").
CREATE OR REPLACE VIEW vex_consensus AS
WITH issuer_names AS (
    SELECT tenant, name, issuer_id, category, trust, keys
    FROM (
        SELECT tenant, lower(trim(n)) AS name, issuer_id, category, trust, keys,
               row_number() OVER (
                   PARTITION BY tenant, lower(trim(n)) ORDER BY issuer_id
               ) AS name_rank
        FROM (
            SELECT tenant, issuer_id, category, trust, keys,
                   unnest(array_concat(make_array(issuer_id, name), aliases)) AS n
            FROM issuers
        ) named
    ) ranked
    WHERE name_rank = 1
),
scored AS (
    SELECT s.tenant, s.statement_id, s.vulnerability_id, s.aliases, s.scope, s.status,
           s.justification, s.statement_timestamp, s.product_id, s.product_key, s.product_cpe,
           s.product_digest, s.subcomponent_key,
           coalesce(s.subcomponent_purl, s.product_purl) AS target_purl,
           s.target_version, s.target_range,
           coalesce(i.issuer_id, s.issuer, 'unknown') AS issuer,
           -- The issuer priority the winner is chosen by (0 first): vendor > distro >
           -- researcher > community.
           CASE coalesce(i.category, 'community')
             WHEN 'vendor' THEN 0 WHEN 'distro' THEN 1 WHEN 'researcher' THEN 2 ELSE 3
           END AS priority,
           k4_from_vex(s.status) AS k4,
           coalesce(i.trust, 0.5)
             * (0.45 * CASE
                         WHEN s.signature_state = 'verified'
                              AND coalesce(array_has(i.keys, s.signature_key), false) THEN 1.0
                         WHEN s.signature_state = 'verified' THEN 0.75
                         ELSE 0.40
                       END
                + 0.35 * CASE
                           WHEN s.product_digest IS NOT NULL
                                OR starts_with(s.product_id, 'urn:cdx:') THEN 1.0
                           WHEN s.target_version IS NOT NULL
                                OR s.target_range IS NOT NULL THEN 0.75
                           WHEN s.product_key IS NOT NULL THEN 0.5
                           ELSE 0.25
                         END
                + 0.20 * 1.0)
             * exp(-ln(2.0) * greatest(0.0,
                   (date_part('epoch', c.as_of)
                    - date_part('epoch', coalesce(s.statement_timestamp, s.ingested_at)))
                   / 86400.0) / 90.0)
             AS trust
    -- The small tables are each join's first input, the side a join collects (a hash join's
    -- build side): a LEFT JOIN from vex_statements would hold every statement in memory, and a
    -- cross join with the statements first emits one batch per statement.
    FROM session_clock c
    CROSS JOIN (
        issuer_names i
        RIGHT JOIN vex_statements s
          ON s.tenant = i.tenant AND lower(trim(s.issuer)) = i.name
    )
    WHERE s.signature_state <> 'invalid'
),
statements AS (
    SELECT tenant, statement_id, vulnerability_id, aliases, coalesce(scope, '') AS scope_key,
           scope, status, issuer, statement_timestamp, k4,
           -- The statement as a candidate winner, one string, so the group's smallest is its
           -- winner and one min() keeps it (an ordered first_value of a struct would keep a row
           -- of values a group). First its rank, 104 characters: a side before
           -- under_investigation (1), the priority (1), the trust descending (18: 1 - trust to
           -- 17 decimals), the newest first (20: '0' and 9e18 minus the epoch microseconds; '1'
           -- and zeros for no time), the statement id (64 hex digits); then what the winner
           -- reports (pack_fields keeps every field exactly, NULLs too).
           pack_fields(
               CASE WHEN status = 'under_investigation' THEN '1' ELSE '0' END
                 || CAST(priority AS VARCHAR)
                 || lpad(CAST(CAST(round((1.0 - trust) * 1e17) AS BIGINT) AS VARCHAR), 18, '0')
                 || CASE
                      WHEN statement_timestamp IS NULL THEN '10000000000000000000'
                      ELSE '0' || lpad(CAST(9000000000000000000 - CAST(arrow_cast(
                               statement_timestamp, 'Timestamp(µs, "UTC")') AS BIGINT)
                             AS VARCHAR), 19, '0')
                    END
                 || statement_id,
               issuer, justification, status, CAST(trust AS VARCHAR),
               product_key, subcomponent_key, target_purl, target_version, target_range,
               product_cpe, product_digest,
               CASE
                 WHEN starts_with(product_id, 'urn:cdx:')
                   THEN split_part(split_part(product_id, '#', 1), '/', 1) || '#'
                        || substr(product_id, strpos(product_id, '#') + 1)
               END) AS candidate
    FROM scored
),
advisory_ids AS (
    SELECT tenant, member, array_distinct(flatten(array_agg(ids))) AS ids
    FROM (
        SELECT tenant, unnest(ids) AS member, ids
        FROM (
            -- A record derived from exactly one upstream record (a distribution's record of a
            -- CVE) is that vulnerability too; one derived from several (a DSA fixing three
            -- CVEs) is not any one of them.
            SELECT tenant,
                   CASE
                     WHEN cardinality(upstream) = 1
                       THEN array_concat(array_append(aliases, advisory_id), upstream)
                     ELSE array_append(aliases, advisory_id)
                   END AS ids
            FROM advisories_current
        ) a
    ) m
    GROUP BY tenant, member
),
known_as AS (
    SELECT s.tenant, s.scope_key, s.scope, s.issuer, s.statement_timestamp, s.k4, s.candidate,
           s.statement_id, s.status,
           unnest(array_distinct(array_concat(
               array_append(s.aliases, s.vulnerability_id),
               coalesce(x.ids, make_array(s.vulnerability_id))))) AS vid
    FROM advisory_ids x
    RIGHT JOIN statements s
      ON s.tenant = x.tenant AND s.vulnerability_id = x.member
),
latest AS (
    SELECT tenant, vid, scope_key, issuer,
           max(coalesce(statement_timestamp, CAST(0 AS TIMESTAMP))) AS newest_time
    FROM known_as
    GROUP BY tenant, vid, scope_key, issuer
),
-- latest is the join's build side (its first input): four keys a row, where known_as carries
-- the candidate too.
newest AS (
    SELECT k.*
    FROM latest l
    JOIN known_as k
      ON k.tenant = l.tenant AND k.vid = l.vid AND k.issuer = l.issuer
     AND k.scope_key = l.scope_key
     AND coalesce(k.statement_timestamp, CAST(0 AS TIMESTAMP)) = l.newest_time
),
grouped AS (
    SELECT tenant, vid AS vulnerability_id, scope AS product_key,
           k4_join(k4) AS k4,
           min(candidate) AS winner,
           array_sort(array_agg(statement_id)) AS statement_ids,
           array_sort(array_distinct(array_agg(status || ' by ' || issuer))) AS sides
    FROM newest
    GROUP BY tenant, vid, scope
),
winners AS (
    SELECT *, packed_field(winner, 1) AS winner_rank FROM grouped
)
SELECT tenant, vulnerability_id, product_key, k4,
       CASE
         WHEN k4 = 1 THEN 'affected'
         WHEN k4 = 0 THEN 'under_investigation'
         ELSE packed_field(winner, 4)
       END AS status,
       k4 = 3 AS conflict,
       substr(winner_rank, 41, 64) AS winner_statement_id,
       packed_field(winner, 2) AS winner_issuer,
       CASE substr(winner_rank, 2, 1)
         WHEN '0' THEN 'vendor' WHEN '1' THEN 'distro' WHEN '2' THEN 'researcher'
         ELSE 'community'
       END AS winner_category,
       CAST(substr(winner_rank, 2, 1) AS BIGINT) AS winner_priority,
       packed_field(winner, 3) AS justification,
       CASE
         WHEN substr(winner_rank, 21, 1) = '0'
           THEN arrow_cast(9000000000000000000 - CAST(substr(winner_rank, 22, 19) AS BIGINT),
                           'Timestamp(µs, "UTC")')
       END AS winner_timestamp,
       CAST(packed_field(winner, 5) AS DOUBLE) AS trust,
       statement_ids, sides,
       packed_field(winner, 6) AS package_key,
       packed_field(winner, 7) AS subcomponent_key,
       packed_field(winner, 8) AS target_purl,
       packed_field(winner, 9) AS target_version,
       packed_field(winner, 10) AS target_range,
       packed_field(winner, 11) AS product_cpe,
       packed_field(winner, 12) AS product_digest,
       packed_field(winner, 13) AS bom_link
FROM winners;
