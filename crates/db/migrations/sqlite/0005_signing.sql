-- no-transaction
-- Signing (SQLite). SQLite cannot change a CHECK constraint in place, so `promise_document` is
-- rebuilt the documented way (foreign keys off, new table, copy, drop, rename, check), inside
-- one transaction of our own. The PostgreSQL file of the same name alters the table instead.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE promise_document_new (
    id TEXT PRIMARY KEY,
    police_area_id TEXT NOT NULL REFERENCES police_area (id),
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    period_start TEXT,
    period_end TEXT,
    status TEXT NOT NULL
        CHECK (status IN ('draft', 'ready_for_signing', 'in_force', 'superseded', 'withdrawn')),
    intro TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    communication TEXT NOT NULL,
    validity TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- The content hash, set when the document is frozen for signing.
    sha256 TEXT,
    -- First and last day in force (Europe/Stockholm), for public documents.
    valid_from TEXT,
    valid_to TEXT,
    withdrawn_reason TEXT,
    -- The valid signatures as interchange JSON, written with the `signature` rows.
    signatures TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO promise_document_new (id, police_area_id, title, year, period_start, period_end, status, intro,
    follow_up, communication, validity, snapshot, version, created_at, updated_at)
SELECT id, police_area_id, title, year, period_start, period_end, status, intro,
    follow_up, communication, validity, snapshot, version, created_at, updated_at FROM promise_document;
DROP TABLE promise_document;
ALTER TABLE promise_document_new RENAME TO promise_document;
CREATE INDEX promise_document_by_validity ON promise_document (status, valid_from, valid_to);

CREATE TABLE signature (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    -- 'police_area' or 'municipality:<code>'.
    party_key TEXT NOT NULL,
    organisation TEXT NOT NULL,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    signed_at TEXT,
    method TEXT NOT NULL CHECK (method IN ('electronic', 'paper')),
    account_id TEXT,
    registered_by TEXT,
    document_sha256 TEXT,
    created_at TEXT NOT NULL,
    voided_at TEXT,
    void_reason TEXT
);
CREATE UNIQUE INDEX signature_one_per_party ON signature (document_id, party_key) WHERE voided_at IS NULL;

-- The audit log becomes a hash chain: entry `seq` carries the hash of entry `seq - 1`.
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
-- SHA-256 of the document's whole state (content and record) after the change.
ALTER TABLE audit_log ADD COLUMN document_state TEXT;
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (seq);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
