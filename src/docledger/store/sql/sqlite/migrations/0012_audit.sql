-- docledger ledger schema, version 0012: tamper-evident audit log.
-- Every access and change is one row; each row holds the hash of the previous one (a hash chain),
-- and signed checkpoints seal the chain's head with a key kept outside the database.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at DOUBLE PRECISION NOT NULL,
    principal TEXT NOT NULL,
    tenant TEXT,
    action TEXT NOT NULL,
    target TEXT,
    client TEXT,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);
