-- docledger ledger schema, version 0013: legal holds and erasure tombstones.
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at DOUBLE PRECISION NOT NULL,
    released_by TEXT,
    released_at DOUBLE PRECISION,
    release_reason TEXT
);
CREATE INDEX legal_holds_document ON legal_holds (document_id, set_at);
-- What remains of an erased or disposed-of document: ids and hashes, who, when and why, and the report.
CREATE TABLE tombstones (
    document_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('erasure', 'disposition')),
    reason TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    erased_at DOUBLE PRECISION NOT NULL,
    report TEXT NOT NULL
);
