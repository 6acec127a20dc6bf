-- Full-text + vector search over pages, sentence index, and the entity graph (PostgreSQL).
CREATE TABLE search_pages (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id),
    tenant TEXT NOT NULL,
    owner TEXT NOT NULL,
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BYTEA,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
    UNIQUE (document_id, page)
);
CREATE INDEX search_pages_tenant ON search_pages (tenant);
CREATE INDEX search_pages_tsv ON search_pages USING GIN (tsv);

CREATE TABLE entities (
    key TEXT NOT NULL,
    tenant TEXT NOT NULL,
    label TEXT NOT NULL,
    display TEXT NOT NULL,
    PRIMARY KEY (tenant, key)
);

CREATE TABLE document_entities (
    document_id TEXT NOT NULL REFERENCES documents (id),
    tenant TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    pages TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (document_id, entity_key)
);
CREATE INDEX document_entities_entity ON document_entities (tenant, entity_key);

CREATE TABLE entity_edges (
    document_id TEXT NOT NULL REFERENCES documents (id),
    tenant TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    weight INTEGER NOT NULL,
    PRIMARY KEY (document_id, a, b)
);
CREATE INDEX entity_edges_a ON entity_edges (tenant, a);
CREATE INDEX entity_edges_b ON entity_edges (tenant, b);
