-- SQLite-specific statements (override queries.sql by name). SQLite has one writer at a
-- time (BEGIN IMMEDIATE), so claiming needs no row locks.

-- name: claim_candidate
SELECT d.id FROM deliveries d
WHERE d.subscriber IN (SELECT value FROM json_each(:subscribers))
  AND ((d.status = 'pending' AND d.available_at <= :now)
       OR (d.status = 'leased' AND d.lease_expires_at < :now AND d.attempts < :max_attempts))
  AND NOT EXISTS (
      SELECT 1 FROM deliveries p
      WHERE p.subscriber = d.subscriber AND p.ordering_key = d.ordering_key AND p.id < d.id
        AND p.status IN ('pending', 'leased'))
ORDER BY d.id LIMIT 1;

-- name: search_fulltext
SELECT s.id, s.document_id, s.page, -bm25(search_fts) AS score,
       snippet(search_fts, 0, '[', ']', ' … ', 16) AS snippet
FROM search_fts JOIN search_pages s ON s.id = search_fts.rowid
WHERE search_fts MATCH :fts_query
  AND (CAST(:tenants AS TEXT) IS NULL OR s.tenant IN (SELECT value FROM json_each(:tenants)))
  AND (CAST(:owner AS TEXT) IS NULL
       OR s.document_id IN (SELECT o.document_id FROM ownership o WHERE o.owner = :owner))
ORDER BY bm25(search_fts) LIMIT :limit;

-- name: pending_work
SELECT COUNT(*) AS n FROM deliveries WHERE status IN ('pending', 'leased') AND subscriber IN (SELECT value FROM json_each(:subscribers));

-- name: tables_with_document_id
SELECT m.name AS table_name FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND p.name = 'document_id';
