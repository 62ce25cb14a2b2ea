-- Every saved version of a document, and the audit log (PostgreSQL). Both are append-only: the
-- code never updates or deletes their rows. The SQLite file of the same name matches.

CREATE TABLE document_version (
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    saved_by TEXT,
    saved_by_name TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    account_id TEXT,
    account_name TEXT NOT NULL,
    document_id TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_document ON audit_log (document_id, at);
