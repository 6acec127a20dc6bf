-- docledger ledger schema, version 0002: API tokens (access control).
-- Only the sha256 of a token is stored; the token itself is shown once, at creation.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    principal TEXT NOT NULL,
    tenants TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'operator', 'reviewer', 'admin')),
    created_at DOUBLE PRECISION NOT NULL,
    revoked_at DOUBLE PRECISION,
    last_used_at DOUBLE PRECISION
);
CREATE INDEX api_tokens_principal ON api_tokens (principal);
