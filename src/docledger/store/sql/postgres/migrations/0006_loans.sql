-- Document types (built-in taxonomy + per-tenant types), the per-tenant trainable classifier,
-- package splits (child document -> parent pages) and loan files.
CREATE TABLE doc_type_defs (
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, name)
);

CREATE TABLE document_types (
    document_id TEXT PRIMARY KEY REFERENCES documents (id),
    tenant TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('rule', 'model', 'person')),
    model_version INTEGER,
    set_by TEXT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX document_types_tenant ON document_types (tenant, source, doc_type);

CREATE TABLE doc_type_models (
    tenant TEXT NOT NULL,
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    examples INTEGER NOT NULL,
    classes TEXT NOT NULL,
    cv_accuracy DOUBLE PRECISION,
    meta TEXT NOT NULL DEFAULT '{}',
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, version)
);

CREATE TABLE document_splits (
    child_id TEXT PRIMARY KEY REFERENCES documents (id),
    parent_id TEXT NOT NULL REFERENCES documents (id),
    first_page INTEGER NOT NULL,
    last_page INTEGER NOT NULL,
    doc_type TEXT,
    created_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX document_splits_parent ON document_splits (parent_id, first_page);

CREATE TABLE loan_files (
    tenant TEXT NOT NULL,
    loan_id TEXT NOT NULL,
    product TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant, loan_id)
);

CREATE TABLE loan_documents (
    document_id TEXT PRIMARY KEY REFERENCES documents (id),
    tenant TEXT NOT NULL,
    loan_id TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at DOUBLE PRECISION NOT NULL
);
CREATE INDEX loan_documents_loan ON loan_documents (tenant, loan_id);
