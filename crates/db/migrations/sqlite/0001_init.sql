-- Löfte schema, version 1 (SQLite). The PostgreSQL file of the same name must describe the
-- same tables and columns: a parity test compares them. Portable rules: ids are TEXT (UUID),
-- integers INTEGER here and BIGINT there, timestamps TEXT RFC 3339 UTC with milliseconds,
-- dates TEXT YYYY-MM-DD, no BOOLEAN.

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE police_region (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE county (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    police_region_id TEXT NOT NULL REFERENCES police_region (id)
);

CREATE TABLE municipality (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    county_code TEXT NOT NULL REFERENCES county (code)
);

CREATE TABLE police_area (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    police_region_id TEXT NOT NULL REFERENCES police_region (id),
    created_at TEXT NOT NULL
);

CREATE TABLE police_area_municipality (
    police_area_id TEXT NOT NULL REFERENCES police_area (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    PRIMARY KEY (police_area_id, municipality_code)
);
CREATE INDEX police_area_municipality_by_municipality ON police_area_municipality (municipality_code);

CREATE TABLE promise_document (
    id TEXT PRIMARY KEY,
    police_area_id TEXT NOT NULL REFERENCES police_area (id),
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    period_start TEXT,
    period_end TEXT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_force', 'superseded')),
    intro TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    communication TEXT NOT NULL,
    validity TEXT NOT NULL,
    -- The whole document as interchange JSON, written with the rows above in one transaction:
    -- pages and the API read it in one row. Its `status` is ignored; the column wins.
    snapshot TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE promise_document_municipality (
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    position INTEGER NOT NULL,
    PRIMARY KEY (document_id, municipality_code)
);
CREATE INDEX promise_document_municipality_by_municipality
    ON promise_document_municipality (municipality_code, document_id);

CREATE TABLE promise (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    party TEXT NOT NULL CHECK (party IN ('joint', 'municipality', 'police', 'other')),
    party_name TEXT,
    UNIQUE (document_id, position)
);

CREATE TABLE focus_area (
    id TEXT PRIMARY KEY,
    promise_id TEXT NOT NULL REFERENCES promise (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (promise_id, position)
);
CREATE INDEX focus_area_by_document ON focus_area (document_id);

CREATE TABLE theme (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (document_id, position)
);

CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    theme_id TEXT NOT NULL REFERENCES theme (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES promise_document (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    party TEXT NOT NULL CHECK (party IN ('joint', 'municipality', 'police', 'other')),
    party_name TEXT,
    UNIQUE (theme_id, position)
);
CREATE INDEX activity_by_document ON activity (document_id);
