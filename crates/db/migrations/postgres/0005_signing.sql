-- Signing (PostgreSQL). The SQLite file of the same name rebuilds the table instead.
ALTER TABLE promise_document DROP CONSTRAINT promise_document_status_check;
ALTER TABLE promise_document ADD CONSTRAINT promise_document_status_check
    CHECK (status IN ('draft', 'ready_for_signing', 'in_force', 'superseded', 'withdrawn'));
ALTER TABLE promise_document ADD COLUMN sha256 TEXT;
ALTER TABLE promise_document ADD COLUMN valid_from TEXT;
ALTER TABLE promise_document ADD COLUMN valid_to TEXT;
ALTER TABLE promise_document ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE promise_document ADD COLUMN signatures TEXT NOT NULL DEFAULT '[]';
CREATE INDEX promise_document_by_validity ON promise_document (status, valid_from, valid_to);

CREATE TABLE signature (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
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

ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
-- SHA-256 of the document's whole state (content and record) after the change.
ALTER TABLE audit_log ADD COLUMN document_state TEXT;
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (seq);
