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

-- name: upsert_subscription
INSERT INTO subscriptions (subscriber, event_type, registered_at) VALUES (:subscriber, :event_type, :now)
ON CONFLICT (subscriber, event_type) DO NOTHING;

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
WHERE id = :id AND status = 'leased' AND (lease_owner = :worker OR CAST(:worker AS TEXT) IS NULL);

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
SELECT status, COUNT(*) AS n FROM deliveries
WHERE CAST(:tenant AS TEXT) IS NULL OR document_id IN (SELECT id FROM documents WHERE tenant = :tenant)
GROUP BY status;

-- name: next_available_at
SELECT MIN(available_at) AS t FROM deliveries WHERE status = 'pending';

-- name: stage_durations
SELECT stage, COUNT(*) AS n, SUM(duration_ms) AS total_ms, MAX(duration_ms) AS max_ms FROM stage_runs
WHERE duration_ms IS NOT NULL
  AND (CAST(:tenant AS TEXT) IS NULL OR document_id IN (SELECT id FROM documents WHERE tenant = :tenant))
GROUP BY stage;

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

-- ---- search + graph (migration 0003) -------------------------------------------------------

-- name: delete_search_pages
DELETE FROM search_pages WHERE document_id = :document_id;

-- name: insert_search_page
INSERT INTO search_pages (document_id, tenant, page, text, vector)
VALUES (:document_id, :tenant, :page, :text, :vector);

-- name: page_vectors
SELECT s.id, s.document_id, s.tenant, s.page, s.vector FROM search_pages s
WHERE s.vector IS NOT NULL AND s.id > :after_id ORDER BY s.id;

-- name: search_page_rows
SELECT s.id, s.document_id, s.tenant, s.page, s.text FROM search_pages s
JOIN documents d ON d.id = s.document_id
WHERE s.id IN (SELECT value FROM json_each(:ids));

-- name: upsert_entity
INSERT INTO entities (key, tenant, label, display) VALUES (:key, :tenant, :label, :display)
ON CONFLICT (tenant, key) DO NOTHING;

-- name: delete_document_entities
DELETE FROM document_entities WHERE document_id = :document_id;

-- name: delete_document_edges
DELETE FROM entity_edges WHERE document_id = :document_id;

-- name: insert_document_entity
INSERT INTO document_entities (document_id, tenant, entity_key, mentions, pages)
VALUES (:document_id, :tenant, :entity_key, :mentions, :pages);

-- name: insert_entity_edge
INSERT INTO entity_edges (document_id, tenant, a, b, weight) VALUES (:document_id, :tenant, :a, :b, :weight);

-- name: find_entities
SELECT e.key, e.label, e.display, COUNT(de.document_id) AS documents FROM entities e
JOIN document_entities de ON de.entity_key = e.key AND de.tenant = e.tenant
WHERE e.tenant IN (SELECT value FROM json_each(:tenants)) AND (e.key = :key OR LOWER(e.display) = LOWER(:name))
GROUP BY e.key, e.label, e.display;

-- name: entity_documents
SELECT de.document_id, de.entity_key, de.mentions, de.pages, d.name FROM document_entities de
JOIN documents d ON d.id = de.document_id
WHERE de.tenant IN (SELECT value FROM json_each(:tenants)) AND de.entity_key = :key;

-- name: entity_neighbours
SELECT CASE WHEN a = :key THEN b ELSE a END AS other, SUM(weight) AS weight, COUNT(DISTINCT document_id) AS documents
FROM entity_edges WHERE tenant IN (SELECT value FROM json_each(:tenants)) AND (a = :key OR b = :key)
GROUP BY CASE WHEN a = :key THEN b ELSE a END ORDER BY weight DESC LIMIT :limit;

-- name: document_entity_rows
SELECT de.entity_key, de.mentions, de.pages, e.label, e.display FROM document_entities de
JOIN entities e ON e.key = de.entity_key AND e.tenant = de.tenant WHERE de.document_id = :document_id;

-- name: document_edges
SELECT a, b, weight FROM entity_edges WHERE document_id = :document_id;

-- name: entity_rows
SELECT key, label, display FROM entities WHERE tenant IN (SELECT value FROM json_each(:tenants))
AND key IN (SELECT value FROM json_each(:keys));

-- name: documents_sharing_entities
SELECT de2.document_id, d.name, COUNT(*) AS shared FROM document_entities de1
JOIN document_entities de2 ON de2.entity_key = de1.entity_key AND de2.tenant = de1.tenant
JOIN documents d ON d.id = de2.document_id
WHERE de1.document_id = :document_id AND de2.document_id <> :document_id
GROUP BY de2.document_id, d.name ORDER BY shared DESC LIMIT 50;

-- name: all_tenants
SELECT DISTINCT tenant FROM documents;

-- name: top_entities
SELECT e.key, e.label, e.display, COUNT(de.document_id) AS documents FROM entities e
JOIN document_entities de ON de.entity_key = e.key AND de.tenant = e.tenant
WHERE e.tenant IN (SELECT value FROM json_each(:tenants))
GROUP BY e.key, e.label, e.display ORDER BY documents DESC, e.key LIMIT :limit;

-- name: last_run_stage
SELECT stage FROM stage_runs WHERE document_id = :document_id ORDER BY ended_at DESC, started_at DESC LIMIT 1;

-- name: backfill_subscriber
INSERT INTO deliveries (event_id, subscriber, document_id, ordering_key, status, attempts, available_at,
                        created_at, updated_at)
SELECT e.id, :subscriber, e.document_id, e.ordering_key, 'pending', 0, :now, :now, :now FROM events e
WHERE e.type IN (SELECT event_type FROM subscriptions WHERE subscriber = :subscriber)
  AND (CAST(:tenant AS TEXT) IS NULL OR e.document_id IN (SELECT id FROM documents WHERE tenant = :tenant))
ON CONFLICT (event_id, subscriber) DO NOTHING;

-- ---- review: tasks, corrections, layouts and lessons (migration 0007) ----------------------

-- name: review_insert_item
INSERT INTO review_items (id, document_id, tenant, doc_type, field, value, confidence, review_threshold, page, bbox,
                          source, valid, errors, reason, status, fields_artifact_id, run_id, model_version, layout_id,
                          created_at, resolved_at, resolved_by, corrected_value, correction_artifact_id,
                          correction_run_id)
VALUES (:id, :document_id, :tenant, :doc_type, :field, :value, :confidence, :review_threshold, :page, :bbox,
        :source, :valid, :errors, :reason, :status, :fields_artifact_id, :run_id, :model_version, :layout_id,
        :created_at, NULL, NULL, NULL, NULL, NULL);

-- name: review_supersede_open
UPDATE review_items SET status = 'superseded', resolved_at = :now
WHERE document_id = :document_id AND status = 'open' AND fields_artifact_id <> :fields_artifact_id;

-- name: review_open_count
SELECT COUNT(*) AS n FROM review_items WHERE document_id = :document_id AND status = 'open';

-- name: review_get_item
SELECT * FROM review_items WHERE id = :id;

-- name: review_list_open
SELECT * FROM review_items
WHERE status = 'open' AND (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant)
  AND (CAST(:document_id AS TEXT) IS NULL OR document_id = :document_id)
ORDER BY created_at, id LIMIT :limit;

-- name: review_resolve_item
UPDATE review_items SET status = :status, resolved_at = :now, resolved_by = :resolved_by,
       corrected_value = :corrected_value, correction_artifact_id = :correction_artifact_id,
       correction_run_id = :correction_run_id
WHERE id = :id AND status = 'open';

-- name: review_items_for_document
SELECT * FROM review_items WHERE document_id = :document_id ORDER BY created_at, id;

-- name: review_items_for_accuracy
SELECT document_id, doc_type, field, status, confidence, model_version, created_at, resolved_at FROM review_items
WHERE status <> 'superseded' AND (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant)
ORDER BY created_at, id;

-- name: review_layouts_for
SELECT id, tokens, documents FROM review_layouts WHERE tenant = :tenant AND doc_type = :doc_type
ORDER BY documents DESC, created_at LIMIT 200;

-- name: review_insert_layout
INSERT INTO review_layouts (id, tenant, doc_type, tokens, documents, created_at, updated_at)
VALUES (:id, :tenant, :doc_type, :tokens, 1, :now, :now)
ON CONFLICT (id) DO UPDATE SET documents = review_layouts.documents + 1, updated_at = :now;

-- name: review_count_layout_document
UPDATE review_layouts SET documents = documents + 1, updated_at = :now WHERE id = :id;

-- name: review_insert_lesson
INSERT INTO review_lessons (tenant, layout_id, doc_type, field, region, document_id, item_id, created_at)
VALUES (:tenant, :layout_id, :doc_type, :field, :region, :document_id, :item_id, :now);

-- name: review_lessons_for_layout
SELECT field, region, created_at FROM review_lessons
WHERE tenant = :tenant AND layout_id = :layout_id AND doc_type = :doc_type ORDER BY id;

-- name: documents_of_owner
-- search reads the owner from ownership (never a copy), so an ownership change applies at once
SELECT document_id FROM ownership WHERE owner = :owner;

-- ---- audit log (hash chain + signed checkpoints) ------------------------------------------------

-- name: audit_head
SELECT seq, hash FROM audit_head WHERE id = 1;

-- name: audit_set_head
UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1;

-- name: audit_insert
INSERT INTO audit_log (seq, at, principal, tenant, action, target, client, detail, prev_hash, hash)
VALUES (:seq, :at, :principal, :tenant, :action, :target, :client, :detail, :prev_hash, :hash);

-- name: audit_entries
SELECT * FROM audit_log WHERE seq > :after ORDER BY seq LIMIT :limit;

-- name: audit_list
SELECT * FROM audit_log
WHERE (CAST(:target AS TEXT) IS NULL OR target = :target)
  AND (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant)
  AND (CAST(:before AS BIGINT) IS NULL OR seq < :before)
ORDER BY seq DESC LIMIT :limit;

-- name: audit_insert_checkpoint
INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (:seq, :hash, :at, :key_id, :signature);

-- name: audit_checkpoints
SELECT * FROM audit_checkpoints ORDER BY seq;

-- ---- legal holds, retention and erasure ------------------------------------------------------------

-- name: hold_insert
INSERT INTO legal_holds (id, document_id, reason, set_by, set_at) VALUES (:id, :document_id, :reason, :set_by, :set_at);

-- name: hold_release
UPDATE legal_holds SET released_by = :released_by, released_at = :released_at, release_reason = :release_reason
WHERE document_id = :document_id AND released_at IS NULL;

-- name: holds_for_document
SELECT * FROM legal_holds WHERE document_id = :document_id ORDER BY set_at;

-- name: set_legal_hold
UPDATE ownership SET legal_hold = :legal_hold, updated_at = :updated_at WHERE document_id = :document_id;

-- name: retention_candidates
SELECT d.id, d.tenant, d.arrived_at, d.status, d.meta, o.owner, o.classification, o.retention_until, o.legal_hold
FROM documents d JOIN ownership o ON o.document_id = d.id
WHERE d.status <> 'ERASED' AND (CAST(:tenant AS TEXT) IS NULL OR d.tenant = :tenant)
ORDER BY d.id;

-- name: artifact_blobs_for_document
SELECT sha256 FROM artifacts WHERE document_id = :document_id;

-- name: blob_users_elsewhere
SELECT COUNT(*) AS n FROM (
    SELECT sha256 FROM artifacts WHERE sha256 = :sha256 AND document_id <> :document_id
    UNION ALL
    SELECT sha256 FROM documents WHERE sha256 = :sha256 AND id <> :document_id
) AS users;

-- name: erase_document_row
UPDATE documents SET name = :name, sha256 = :sha256, source = 'erased', meta = '{}', message = :message,
       status = 'ERASED', reason = 'erased', stage = NULL, updated_at = :now
WHERE id = :id;

-- name: orphan_entities
DELETE FROM entities WHERE tenant = :tenant
  AND NOT EXISTS (SELECT 1 FROM document_entities de WHERE de.tenant = entities.tenant AND de.entity_key = entities.key);

-- name: tombstone_insert
INSERT INTO tombstones (document_id, tenant, sha256, name_sha256, kind, reason, erased_by, erased_at, report)
VALUES (:document_id, :tenant, :sha256, :name_sha256, :kind, :reason, :erased_by, :erased_at, :report);

-- name: tombstone_get
SELECT * FROM tombstones WHERE document_id = :document_id;
-- ---- access policy, web sessions (migration 0004) ------------------------------------------------

-- name: access_documents_by_classification
SELECT d.id, d.tenant, d.status, d.stage, d.reason, o.owner, o.classification, o.readers
FROM documents d JOIN ownership o ON o.document_id = d.id
WHERE o.classification = :classification AND o.tenant = :tenant;

-- name: access_restricted_queue
SELECT q.document_id, q.status, COUNT(*) AS n FROM deliveries q JOIN ownership o ON o.document_id = q.document_id
WHERE o.classification = 'restricted' AND o.tenant = :tenant GROUP BY q.document_id, q.status;

-- name: access_restricted_durations
SELECT r.document_id, r.stage, COUNT(*) AS n, SUM(r.duration_ms) AS total_ms FROM stage_runs r
JOIN ownership o ON o.document_id = r.document_id
WHERE r.duration_ms IS NOT NULL AND o.classification = 'restricted' AND o.tenant = :tenant
GROUP BY r.document_id, r.stage;

-- name: access_entity_pairs
SELECT de.document_id, de.entity_key, e.label, e.display FROM document_entities de
JOIN entities e ON e.key = de.entity_key AND e.tenant = de.tenant WHERE de.tenant = :tenant;

-- name: access_entity_edges
SELECT document_id, tenant, a, b, weight FROM entity_edges WHERE tenant = :tenant AND (a = :key OR b = :key);

-- name: session_insert
INSERT INTO web_sessions (id, token_hash, created_at, expires_at, ended_at)
VALUES (:id, :token_hash, :created_at, :expires_at, NULL);

-- name: session_get
SELECT id, token_hash, created_at, expires_at, ended_at FROM web_sessions WHERE id = :id;

-- name: session_end
UPDATE web_sessions SET ended_at = :now WHERE id = :id AND ended_at IS NULL;

-- name: notification_sent
SELECT id FROM events WHERE document_id = :document_id AND type = 'notification.requested' AND payload LIKE :pattern
LIMIT 1;

-- ---- Document types, package splits and loan files (0006) -----------------------------------------

-- name: upsert_doc_type_def
INSERT INTO doc_type_defs (tenant, name, description, created_by, created_at)
VALUES (:tenant, :name, :description, :created_by, :created_at)
ON CONFLICT (tenant, name) DO NOTHING;

-- name: doc_type_defs_for_tenant
SELECT * FROM doc_type_defs WHERE tenant = :tenant ORDER BY name;

-- name: get_document_type
SELECT * FROM document_types WHERE document_id = :document_id;

-- name: upsert_document_type
INSERT INTO document_types (document_id, tenant, doc_type, confidence, source, model_version, set_by, updated_at)
VALUES (:document_id, :tenant, :doc_type, :confidence, :source, :model_version, :set_by, :updated_at)
ON CONFLICT (document_id) DO UPDATE SET doc_type = excluded.doc_type, confidence = excluded.confidence,
    source = excluded.source, model_version = excluded.model_version, set_by = excluded.set_by,
    updated_at = excluded.updated_at;

-- name: confirmed_types_for_tenant
SELECT t.document_id, t.doc_type FROM document_types t
WHERE t.tenant = :tenant AND t.source = 'person' ORDER BY t.document_id;

-- name: unconfirmed_documents_for_tenant
SELECT d.id FROM documents d LEFT JOIN document_types t ON t.document_id = d.id
WHERE d.tenant = :tenant AND (t.source IS NULL OR t.source <> 'person') ORDER BY d.id;

-- name: latest_doc_type_model
SELECT * FROM doc_type_models WHERE tenant = :tenant ORDER BY version DESC LIMIT 1;

-- name: insert_doc_type_model
INSERT INTO doc_type_models (tenant, version, sha256, examples, classes, cv_accuracy, meta, created_by, created_at)
VALUES (:tenant, :version, :sha256, :examples, :classes, :cv_accuracy, :meta, :created_by, :created_at);

-- name: insert_document_split
INSERT INTO document_splits (child_id, parent_id, first_page, last_page, doc_type, created_at)
VALUES (:child_id, :parent_id, :first_page, :last_page, :doc_type, :created_at);

-- name: splits_for_parent
SELECT * FROM document_splits WHERE parent_id = :parent_id ORDER BY first_page;

-- name: split_of_child
SELECT * FROM document_splits WHERE child_id = :child_id;

-- name: upsert_loan_file
INSERT INTO loan_files (tenant, loan_id, product, created_by, created_at)
VALUES (:tenant, :loan_id, :product, :created_by, :created_at)
ON CONFLICT (tenant, loan_id) DO NOTHING;

-- name: set_loan_product
UPDATE loan_files SET product = :product WHERE tenant = :tenant AND loan_id = :loan_id;

-- name: get_loan_file
SELECT * FROM loan_files WHERE tenant = :tenant AND loan_id = :loan_id;

-- name: list_loan_files
SELECT l.tenant, l.loan_id, l.product, l.created_at,
       (SELECT COUNT(*) FROM loan_documents ld WHERE ld.tenant = l.tenant AND ld.loan_id = l.loan_id) AS documents
FROM loan_files l WHERE (CAST(:tenant AS TEXT) IS NULL OR l.tenant = :tenant) ORDER BY l.loan_id;

-- name: assign_loan_document
INSERT INTO loan_documents (document_id, tenant, loan_id, assigned_by, assigned_at)
VALUES (:document_id, :tenant, :loan_id, :assigned_by, :assigned_at)
ON CONFLICT (document_id) DO UPDATE SET loan_id = excluded.loan_id, assigned_by = excluded.assigned_by,
    assigned_at = excluded.assigned_at;

-- name: loan_of_document
SELECT * FROM loan_documents WHERE document_id = :document_id;

-- name: documents_of_loan
SELECT d.id, d.name, d.status, d.pages, d.media_type, t.doc_type, t.confidence, t.source
FROM loan_documents ld JOIN documents d ON d.id = ld.document_id
LEFT JOIN document_types t ON t.document_id = d.id
WHERE ld.tenant = :tenant AND ld.loan_id = :loan_id ORDER BY d.id;

-- name: document_types_all
SELECT document_id, doc_type, confidence, source FROM document_types
WHERE (CAST(:tenant AS TEXT) IS NULL OR tenant = :tenant);
