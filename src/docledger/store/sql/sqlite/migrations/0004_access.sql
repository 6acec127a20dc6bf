-- Web sessions kept server-side, so signing out ends the session for every copy of its cookie.
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION
);

-- The access policy looks up the restricted and confidential documents of a tenant on every list.
CREATE INDEX ownership_tenant_classification ON ownership (tenant, classification);
