-- Full-text + vector search over pages, sentence index, and the entity graph (SQLite).
CREATE TABLE search_pages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents (id),
    tenant TEXT NOT NULL,
    owner TEXT NOT NULL,
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB,
    UNIQUE (document_id, page)
);
CREATE INDEX search_pages_tenant ON search_pages (tenant);

CREATE VIRTUAL TABLE search_fts USING fts5 (text, tokenize = 'porter unicode61');

CREATE TRIGGER search_pages_ai AFTER INSERT ON search_pages BEGIN
    INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER search_pages_ad AFTER DELETE ON search_pages BEGIN
    DELETE FROM search_fts WHERE rowid = old.id;
END;

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
