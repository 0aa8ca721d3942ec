-- The candidate join of the DuckDB comparison (benches/README.md): every component of the
-- lake's SBOMs whose package an advisory's linkset names, in the same ecosystem family, at a
-- version the linkset lists explicitly. The text is the same for vexlake (DataFusion) and
-- DuckDB, over the same Parquet files: `components` and `advisory_affected` at their newest
-- Delta versions. It counts the pairs; both engines must give the same count.
SELECT count(*) AS candidates
FROM advisory_affected a
JOIN components c
  ON c.tenant = a.tenant
 AND c.package_key = a.package_key
 AND split_part(c.ecosystem, ':', 1) = split_part(a.ecosystem, ':', 1)
WHERE c.view = 'inventory'
  AND array_has(a.versions, c.version)
