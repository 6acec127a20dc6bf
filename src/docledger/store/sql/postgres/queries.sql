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
