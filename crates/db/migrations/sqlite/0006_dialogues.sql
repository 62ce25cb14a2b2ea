-- Citizen and employee dialogues and the problem vocabulary (SQLite). The PostgreSQL
-- file of the same name has the same tables and columns.

-- Problems a municipality adds to the vocabulary. The standard problems of the safety surveys
-- are not rows: they live in code (lofte_domain::problems::STANDARD_PROBLEMS, with English
-- names), so every municipality has them and their keys never clash with added ones.
CREATE TABLE problem (
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    PRIMARY KEY (municipality_code, key)
);

CREATE TABLE dialogue (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'market', 'safety_walk', 'digital', 'employee')),
    -- YYYY-MM-DD: the overview's year is a range of these.
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    -- WGS84 in millionths of a degree; both or neither.
    latitude_e6 INTEGER,
    longitude_e6 INTEGER,
    -- NULL when not counted.
    participants INTEGER,
    notes TEXT NOT NULL,
    -- Optimistic concurrency: an edit names the version it is based on.
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_name TEXT NOT NULL
);
CREATE INDEX dialogue_by_municipality ON dialogue (municipality_code, held_on);

CREATE TABLE dialogue_organisation (
    dialogue_id TEXT NOT NULL REFERENCES dialogue (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, position)
);

-- The problems a dialogue raised: keys of the standard vocabulary or of the municipality's own.
CREATE TABLE dialogue_problem (
    dialogue_id TEXT NOT NULL REFERENCES dialogue (id) ON DELETE CASCADE,
    problem_key TEXT NOT NULL,
    PRIMARY KEY (dialogue_id, problem_key)
);

-- Places flagged on a safety walk.
CREATE TABLE dialogue_place (
    dialogue_id TEXT NOT NULL REFERENCES dialogue (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    latitude_e6 INTEGER,
    longitude_e6 INTEGER,
    problem_key TEXT,
    PRIMARY KEY (dialogue_id, position)
);
