-- Every statement docledger runs, by name. Parameters are :name; the PostgreSQL store
-- rewrites them to %(name)s. Dialect-specific statements live in sqlite/queries.sql and
-- postgres/queries.sql and override a name here.

-- name: document_by_sha
SELECT * FROM documents WHERE tenant = :tenant AND sha256 = :sha256;

-- name: latest_version_by_name
SELECT series_id, version FROM documents WHERE tenant = :tenant AND name = :name
ORDER BY version DESC LIMIT 1;

-- name: insert_document
INSERT INTO documents (id, tenant, series_id, version, name, sha256, size, media_type, declared_media_type,
                       source, arrived_at, status, stage, reason, message, pages, meta, updated_at)
VALUES (:id, :tenant, :series_id, :version, :name, :sha256, :size, :media_type, :declared_media_type,
        :source, :arrived_at, :status, :stage, NULL, :message, NULL, :meta, :arrived_at);

-- name: insert_ownership
INSERT INTO ownership (document_id, owner, tenant, classification, retention_until, legal_hold, readers, updated_at)
VALUES (:document_id, :owner, :tenant, :classification, :retention_until, :legal_hold, :readers, :updated_at);

-- name: get_document
SELECT d.*, o.owner, o.classification, o.retention_until, o.legal_hold, o.readers
FROM documents d JOIN ownership o ON o.document_id = d.id WHERE d.id = :id;

-- name: list_documents
SELECT d.id, d.tenant, d.name, d.version, d.status, d.stage, d.reason, d.message, d.media_type, d.size,
       d.arrived_at, d.updated_at, d.pages, o.owner, o.classification
FROM documents d JOIN ownership o ON o.document_id = d.id
WHERE (CAST(:status AS TEXT) IS NULL OR d.status = :status)
  AND (CAST(:tenant AS TEXT) IS NULL OR d.tenant = :tenant)
  AND (CAST(:owner AS TEXT) IS NULL OR o.owner = :owner)
  AND (CAST(:media_type AS TEXT) IS NULL OR d.media_type = :media_type)
  AND (CAST(:since AS DOUBLE PRECISION) IS NULL OR d.arrived_at >= :since)
  AND (CAST(:until AS DOUBLE PRECISION) IS NULL OR d.arrived_at < :until)
  AND (CAST(:after AS TEXT) IS NULL OR d.id < :after)
ORDER BY d.id DESC LIMIT :limit;

-- name: count_by_status
SELECT status, COUNT(*) AS n FROM documents WHERE (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant) GROUP BY status;

-- name: count_by_stage
SELECT stage, status, COUNT(*) AS n FROM documents WHERE (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant)
GROUP BY stage, status;

-- name: failures_by_reason
SELECT reason, COUNT(*) AS n FROM documents
WHERE status IN ('FAILED', 'PARTIAL') AND (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant) GROUP BY reason;

-- name: update_document_status
UPDATE documents SET status = :status, stage = :stage, reason = :reason, message = :message, updated_at = :now
WHERE id = :id;

-- name: update_document_facts
UPDATE documents SET media_type = COALESCE(:media_type, media_type), pages = COALESCE(:pages, pages),
       meta = :meta, updated_at = :now
WHERE id = :id;

-- name: update_ownership
UPDATE ownership SET owner = :owner, classification = :classification, retention_until = :retention_until,
       legal_hold = :legal_hold, readers = :readers, updated_at = :now
WHERE document_id = :document_id;

-- name: insert_timeline
INSERT INTO timeline (document_id, time, stage, status, message, attempt, worker)
VALUES (:document_id, :time, :stage, :status, :message, :attempt, :worker);

-- name: timeline_for_document
SELECT time, stage, status, message, attempt, worker FROM timeline WHERE document_id = :document_id ORDER BY id;

-- name: insert_run
INSERT INTO stage_runs (id, document_id, stage, stage_version, config_hash, page, delivery_id, status, attempt,
                        worker, started_at, ended_at, duration_ms, error_code, error, meta)
VALUES (:id, :document_id, :stage, :stage_version, :config_hash, :page, :delivery_id, :status, :attempt,
        :worker, :started_at, :ended_at, :duration_ms, :error_code, :error, :meta);

-- name: insert_run_input
INSERT INTO run_inputs (run_id, artifact_id) VALUES (:run_id, :artifact_id) ON CONFLICT DO NOTHING;

-- name: insert_artifact
INSERT INTO artifacts (id, document_id, run_id, stage, stage_version, key, kind, sha256, size, media_type, page,
                       meta, created_at)
VALUES (:id, :document_id, :run_id, :stage, :stage_version, :key, :kind, :sha256, :size, :media_type, :page,
        :meta, :created_at);

-- name: artifacts_for_document
SELECT a.*, r.config_hash, r.worker, r.attempt FROM artifacts a JOIN stage_runs r ON r.id = a.run_id
WHERE a.document_id = :document_id ORDER BY a.created_at, a.key;

-- name: artifact_by_id
SELECT a.*, r.config_hash, r.worker, r.attempt, r.meta AS run_meta FROM artifacts a
JOIN stage_runs r ON r.id = a.run_id WHERE a.id = :id;

-- name: runs_for_document
SELECT * FROM stage_runs WHERE document_id = :document_id ORDER BY started_at, id;

-- name: run_inputs_for_document
SELECT ri.run_id, ri.artifact_id FROM run_inputs ri JOIN stage_runs r ON r.id = ri.run_id
WHERE r.document_id = :document_id;

-- name: inputs_of_run
SELECT a.* FROM run_inputs ri JOIN artifacts a ON a.id = ri.artifact_id WHERE ri.run_id = :run_id;

-- name: runs_consuming_artifact
SELECT run_id FROM run_inputs WHERE artifact_id = :artifact_id;

-- name: artifacts_of_run
SELECT * FROM artifacts WHERE run_id = :run_id;

-- name: insert_problem
INSERT INTO problems (document_id, stage, page, code, message, terminal, run_id, created_at)
VALUES (:document_id, :stage, :page, :code, :message, :terminal, :run_id, :created_at);

-- name: problems_for_document
SELECT stage, page, code, message, terminal, run_id, created_at FROM problems
WHERE document_id = :document_id ORDER BY id;

-- name: clear_problems
DELETE FROM problems WHERE document_id = :document_id AND stage = :stage;

-- name: insert_event
INSERT INTO events (type, document_id, ordering_key, payload, created_at)
VALUES (:type, :document_id, :ordering_key, :payload, :created_at) RETURNING id;

-- name: fan_out_event
INSERT INTO deliveries (event_id, subscriber, document_id, ordering_key, status, attempts, available_at,
                        created_at, updated_at)
SELECT :event_id, s.subscriber, :document_id, :ordering_key, 'pending', 0, :now, :now, :now
FROM subscriptions s WHERE s.event_type = :type
  AND (CAST(:only_subscriber AS TEXT) IS NULL OR s.subscriber = :only_subscriber);

-- name: events_for_document
SELECT id, type, ordering_key, payload, created_at FROM events WHERE document_id = :document_id ORDER BY id;

-- name: upsert_subscription
INSERT INTO subscriptions (subscriber, event_type, registered_at) VALUES (:subscriber, :event_type, :now)
ON CONFLICT (subscriber, event_type) DO NOTHING;

-- name: list_subscriptions
SELECT subscriber, event_type, registered_at FROM subscriptions ORDER BY subscriber, event_type;

-- name: delete_subscription
DELETE FROM subscriptions WHERE subscriber = :subscriber;

-- name: get_delivery
SELECT d.*, e.type AS event_type, e.payload FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.id = :id;

-- name: ack_delivery
UPDATE deliveries SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
WHERE id = :id AND status = 'leased' AND lease_owner = :worker;

-- name: retry_delivery
UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL, available_at = :available_at,
       last_error = :error, updated_at = :now
WHERE id = :id AND status = 'leased' AND lease_owner = :worker;

-- name: dead_letter_delivery
UPDATE deliveries SET status = 'dead', lease_owner = NULL, lease_expires_at = NULL, last_error = :error,
       updated_at = :now
WHERE id = :id AND (lease_owner = :worker OR CAST(:worker AS TEXT) IS NULL);

-- name: extend_lease
UPDATE deliveries SET lease_expires_at = :lease_expires_at, updated_at = :now
WHERE id = :id AND status = 'leased' AND lease_owner = :worker;

-- name: expired_exhausted_leases
SELECT d.id, d.document_id, d.subscriber, d.attempts, d.last_error FROM deliveries d
WHERE d.status = 'leased' AND d.lease_expires_at < :now AND d.attempts >= :max_attempts;

-- name: list_dead
SELECT d.id, d.event_id, d.subscriber, d.document_id, d.attempts, d.last_error, d.updated_at, e.type AS event_type
FROM deliveries d JOIN events e ON e.id = d.event_id
WHERE d.status = 'dead' AND (CAST(:tenant AS TEXT) IS NULL OR d.document_id IN (SELECT id FROM documents WHERE tenant = :tenant))
ORDER BY d.id;

-- name: replay_dead
UPDATE deliveries SET status = 'pending', attempts = 0, available_at = :now, last_error = NULL, updated_at = :now
WHERE id = :id AND status = 'dead';

-- name: open_deliveries_for_document
SELECT COUNT(*) AS n FROM deliveries WHERE document_id = :document_id AND status IN ('pending', 'leased');

-- name: queue_depth
SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status;

-- name: pending_work
SELECT COUNT(*) AS n FROM deliveries WHERE status IN ('pending', 'leased') AND subscriber IN (
    SELECT subscriber FROM subscriptions);

-- name: next_available_at
SELECT MIN(available_at) AS t FROM deliveries WHERE status = 'pending';

-- name: stage_durations
SELECT stage, COUNT(*) AS n, SUM(duration_ms) AS total_ms, MAX(duration_ms) AS max_ms FROM stage_runs
WHERE duration_ms IS NOT NULL GROUP BY stage;

-- name: lock_document
SELECT id FROM documents WHERE id = :id;

-- name: lease_delivery
UPDATE deliveries SET status = 'leased', lease_owner = :worker, lease_expires_at = :lease_expires_at,
       attempts = attempts + 1, updated_at = :now
WHERE id = :id;

-- name: mark_document_running
UPDATE documents SET stage = :stage, status = CASE WHEN status = 'FAILED' THEN status ELSE 'PROCESSING' END,
       message = CASE WHEN status = 'FAILED' THEN message ELSE :message END, updated_at = :now
WHERE id = :id;

-- ==== auth: API tokens (owned by docledger.auth; keep this section at the end) ====

-- name: auth_insert_token
INSERT INTO api_tokens (id, token_hash, principal, tenants, role, created_at, revoked_at, last_used_at)
VALUES (:id, :token_hash, :principal, :tenants, :role, :created_at, NULL, NULL);

-- name: auth_token_by_hash
SELECT id, principal, tenants, role, created_at, revoked_at, last_used_at FROM api_tokens
WHERE token_hash = :token_hash;

-- name: auth_list_tokens
SELECT id, principal, tenants, role, created_at, revoked_at, last_used_at FROM api_tokens
WHERE (CAST(:include_revoked AS INTEGER) = 1 OR revoked_at IS NULL)
ORDER BY created_at, id;

-- name: auth_revoke_token
UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL;

-- name: auth_touch_token
UPDATE api_tokens SET last_used_at = :now WHERE id = :id;
