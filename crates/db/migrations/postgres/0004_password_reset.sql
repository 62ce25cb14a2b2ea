-- One-time links to set a new password (PostgreSQL). Only the token's SHA-256 is stored.
CREATE TABLE password_reset (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
