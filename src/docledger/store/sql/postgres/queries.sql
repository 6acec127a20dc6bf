-- PostgreSQL-specific statements (override queries.sql by name).

-- name: claim_candidate
SELECT d.id FROM deliveries d
WHERE d.subscriber = ANY(:subscribers_array)
  AND ((d.status = 'pending' AND d.available_at <= :now)
       OR (d.status = 'leased' AND d.lease_expires_at < :now AND d.attempts < :max_attempts))
  AND NOT EXISTS (
      SELECT 1 FROM deliveries p
      WHERE p.subscriber = d.subscriber AND p.ordering_key = d.ordering_key AND p.id < d.id
        AND p.status IN ('pending', 'leased'))
ORDER BY d.id LIMIT 1
FOR UPDATE OF d SKIP LOCKED;

-- name: lock_document
SELECT id FROM documents WHERE id = :id FOR UPDATE;

-- name: search_fulltext
SELECT s.id, s.document_id, s.page, ts_rank_cd(s.tsv, q) AS score,
       ts_headline('english', s.text, q, 'StartSel=[, StopSel=], MaxWords=30, MinWords=10') AS snippet
FROM search_pages s, websearch_to_tsquery('english', :text_query) q
WHERE s.tsv @@ q
  AND (CAST(:tenants AS TEXT) IS NULL OR s.tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON))))
  AND (CAST(:owner AS TEXT) IS NULL
       OR s.document_id IN (SELECT o.document_id FROM ownership o WHERE o.owner = :owner))
ORDER BY score DESC LIMIT :limit;

-- name: search_page_rows
SELECT s.id, s.document_id, s.tenant, s.page, s.text FROM search_pages s
WHERE s.id IN (SELECT CAST(json_array_elements_text(CAST(:ids AS JSON)) AS BIGINT));

-- name: find_entities
SELECT e.key, e.label, e.display, COUNT(de.document_id) AS documents FROM entities e
JOIN document_entities de ON de.entity_key = e.key AND de.tenant = e.tenant
WHERE e.tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON)))
  AND (e.key = :key OR LOWER(e.display) = LOWER(:name))
GROUP BY e.key, e.label, e.display;

-- name: entity_documents
SELECT de.document_id, de.entity_key, de.mentions, de.pages, d.name FROM document_entities de
JOIN documents d ON d.id = de.document_id
WHERE de.tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON))) AND de.entity_key = :key;

-- name: entity_neighbours
SELECT CASE WHEN a = :key THEN b ELSE a END AS other, SUM(weight) AS weight, COUNT(DISTINCT document_id) AS documents
FROM entity_edges WHERE tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON))) AND (a = :key OR b = :key)
GROUP BY CASE WHEN a = :key THEN b ELSE a END ORDER BY weight DESC LIMIT :limit;

-- name: entity_rows
SELECT key, label, display FROM entities WHERE tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON)))
AND key IN (SELECT json_array_elements_text(CAST(:keys AS JSON)));

-- name: top_entities
SELECT e.key, e.label, e.display, COUNT(de.document_id) AS documents FROM entities e
JOIN document_entities de ON de.entity_key = e.key AND de.tenant = e.tenant
WHERE e.tenant IN (SELECT json_array_elements_text(CAST(:tenants AS JSON)))
GROUP BY e.key, e.label, e.display ORDER BY documents DESC, e.key LIMIT :limit;

-- name: pending_work
SELECT COUNT(*) AS n FROM deliveries WHERE status IN ('pending', 'leased') AND subscriber = ANY(:subscribers_array);

-- name: audit_head
SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE;

-- name: tables_with_document_id
SELECT table_name FROM information_schema.columns
WHERE table_schema = current_schema() AND column_name = 'document_id'
  AND table_name IN (SELECT table_name FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE');
