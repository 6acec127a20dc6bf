-- docledger ledger schema, version 0001 (PostgreSQL)
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    series_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT,
    declared_media_type TEXT,
    source TEXT NOT NULL,
    arrived_at DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    stage TEXT,
    reason TEXT,
    message TEXT,
    pages INTEGER,
    meta TEXT NOT NULL DEFAULT '{}',
    updated_at DOUBLE PRECISION NOT NULL,
    UNIQUE (tenant, sha256)
);
CREATE INDEX documents_tenant_status ON documents (tenant, status, id);
CREATE INDEX documents_series ON documents (tenant, series_id, version);
CREATE INDEX documents_name ON documents (tenant, name, version);

CREATE TABLE ownership (
    document_id TEXT PRIMARY KEY REFERENCES documents (id),
    owner TEXT NOT NULL,
    tenant TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
    retention_until DOUBLE PRECISION,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    readers TEXT NOT NULL DEFAULT '[]',
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX ownership_owner ON ownership (tenant, owner);

CREATE TABLE stage_runs (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    stage TEXT NOT NULL,
    stage_version TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    page INTEGER,
    delivery_id BIGINT,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    worker TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION,
    duration_ms DOUBLE PRECISION,
    error_code TEXT,
    error TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX stage_runs_document ON stage_runs (document_id, started_at);

CREATE TABLE run_inputs (
    run_id TEXT NOT NULL REFERENCES stage_runs (id),
    artifact_id TEXT NOT NULL,
    PRIMARY KEY (run_id, artifact_id)
);
CREATE INDEX run_inputs_artifact ON run_inputs (artifact_id);

CREATE TABLE artifacts (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    run_id TEXT NOT NULL REFERENCES stage_runs (id),
    stage TEXT NOT NULL,
    stage_version TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT,
    page INTEGER,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (document_id, stage, stage_version, key)
);
CREATE INDEX artifacts_document ON artifacts (document_id, page);
CREATE INDEX artifacts_run ON artifacts (run_id);

CREATE TABLE problems (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    stage TEXT NOT NULL,
    page INTEGER,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    terminal INTEGER NOT NULL,
    run_id TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX problems_document ON problems (document_id);

CREATE TABLE timeline (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    time DOUBLE PRECISION NOT NULL,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    attempt INTEGER,
    worker TEXT
);
CREATE INDEX timeline_document ON timeline (document_id, id);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    type TEXT NOT NULL,
    document_id TEXT,
    ordering_key TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX events_document ON events (document_id, id);

CREATE TABLE subscriptions (
    subscriber TEXT NOT NULL,
    event_type TEXT NOT NULL,
    registered_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (subscriber, event_type)
);

CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id),
    subscriber TEXT NOT NULL,
    document_id TEXT,
    ordering_key TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'leased', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at DOUBLE PRECISION NOT NULL,
    lease_owner TEXT,
    lease_expires_at DOUBLE PRECISION,
    last_error TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    UNIQUE (event_id, subscriber)
);
CREATE INDEX deliveries_claim ON deliveries (status, available_at, id);
CREATE INDEX deliveries_fifo ON deliveries (subscriber, ordering_key, id);
CREATE INDEX deliveries_document ON deliveries (document_id, status);
