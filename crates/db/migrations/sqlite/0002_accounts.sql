-- Staff accounts, their roles in organisations, invitations and web sessions (SQLite).
-- The PostgreSQL file of the same name has the same tables and columns.

CREATE TABLE account (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- PHC string (argon2id); NULL until the person has set a password.
    password_hash TEXT,
    is_admin INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
    -- Demo accounts can only log in while the demo is on.
    is_demo INTEGER NOT NULL CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    password_changed_at TEXT
);

CREATE TABLE membership (
    account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    org_kind TEXT NOT NULL CHECK (org_kind IN ('municipality', 'police_area')),
    org_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'signatory')),
    PRIMARY KEY (account_id, org_kind, org_id)
);
CREATE INDEX membership_by_org ON membership (org_kind, org_id);

CREATE TABLE invitation (
    -- SHA-256 of the token in the link; the token itself is never stored.
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    org_kind TEXT NOT NULL CHECK (org_kind IN ('municipality', 'police_area')),
    org_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'signatory')),
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE web_session (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_session_by_expiry ON web_session (expires_at);
