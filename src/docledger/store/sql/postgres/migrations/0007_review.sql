-- docledger ledger schema, version 0007: human review of extracted fields, corrections and what
-- is learned from them (layouts and the located value regions of corrected fields).

-- One row per field the review stage saw: straight-through ('auto', also 'learned') or a review
-- task ('open' -> 'accepted' | 'corrected'; 'superseded' when a newer extraction replaced it).
CREATE TABLE review_items (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    tenant TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    confidence DOUBLE PRECISION,
    review_threshold DOUBLE PRECISION,
    page INTEGER,
    bbox TEXT,
    source TEXT,
    valid INTEGER NOT NULL,
    errors TEXT NOT NULL DEFAULT '[]',
    reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('auto', 'learned', 'open', 'accepted', 'corrected', 'superseded')),
    fields_artifact_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    model_version TEXT NOT NULL,
    layout_id TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    resolved_at DOUBLE PRECISION,
    resolved_by TEXT,
    corrected_value TEXT,
    correction_artifact_id TEXT,
    correction_run_id TEXT
);
CREATE INDEX review_items_status ON review_items (tenant, status, created_at);
CREATE INDEX review_items_document ON review_items (document_id, status);
CREATE INDEX review_items_accuracy ON review_items (tenant, doc_type, field);

-- Page layouts per tenant and document type: hashes of the label words (with their grid cells) of
-- the first page seen of it.
CREATE TABLE review_layouts (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    tokens TEXT NOT NULL,
    documents INTEGER NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX review_layouts_tenant ON review_layouts (tenant, doc_type);

-- Where a corrected value was found on its page, relative to the nearest label word (anchor). The
-- value itself is not kept (it may be personal data); erasing the document removes its lessons.
CREATE TABLE review_lessons (
    id BIGSERIAL PRIMARY KEY,
    tenant TEXT NOT NULL,
    layout_id TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    field TEXT NOT NULL,
    region TEXT NOT NULL,
    document_id TEXT NOT NULL REFERENCES documents (id),
    item_id TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX review_lessons_key ON review_lessons (tenant, layout_id, doc_type, field);
