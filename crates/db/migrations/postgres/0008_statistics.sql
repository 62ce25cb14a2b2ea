-- Statistics and the lägesbild (PostgreSQL). The SQLite file of the same name has the same
-- tables and columns.

-- What is measured. Keys are source-prefixed: kolada:N07403, scb:folkmangd, polisen:<type>,
-- bra:<slug>, manual:<slug>.
CREATE TABLE indicator (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('count', 'per_100k', 'per_1000', 'percent', 'other')),
    source TEXT NOT NULL CHECK (source IN ('kolada', 'scb', 'polisen', 'bra', 'manual')),
    description TEXT NOT NULL,
    better TEXT NOT NULL CHECK (better IN ('lower', 'higher', 'neutral')),
    -- 1 once a person has described it: imports of bare values no longer overwrite the texts.
    described BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One value per indicator, region (SCB codes: 1785, 17, 00; lpo:<uuid>), period (YYYY or
-- YYYY-MM) and gender (T, K, M). NULL value: missing or suppressed at the source (status says).
CREATE TABLE indicator_value (
    indicator_key TEXT NOT NULL REFERENCES indicator (key),
    region TEXT NOT NULL,
    period TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('T', 'K', 'M')),
    value DOUBLE PRECISION,
    status TEXT NOT NULL,
    -- Where a value entered by hand comes from; empty for imported values.
    note TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator_key, region, period, gender)
);
CREATE INDEX indicator_value_by_region ON indicator_value (region, indicator_key, period);

-- Polisen's published events, kept so that overlapping downloads count each event once.
CREATE TABLE police_event (
    id BIGINT PRIMARY KEY,
    published_on TEXT NOT NULL,
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    county_code TEXT NOT NULL,
    municipality_code TEXT
);
CREATE INDEX police_event_by_month ON police_event (month);

-- Every import or manual entry: what came in, from whom.
CREATE TABLE statistics_import (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    label TEXT NOT NULL,
    indicators BIGINT NOT NULL,
    observations BIGINT NOT NULL,
    made_at TEXT NOT NULL,
    made_by_name TEXT NOT NULL
);

-- A lägesbild: one per municipality (the first of those it covers) and year.
CREATE TABLE lagesbild (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- JSON lofte_domain::lagesbild::Weights.
    weights TEXT NOT NULL,
    survey_id TEXT REFERENCES survey (id),
    previous_survey_id TEXT REFERENCES survey (id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by_name TEXT NOT NULL,
    UNIQUE (municipality_code, year)
);

-- The municipalities a lägesbild covers (one, or the several of an agreement).
CREATE TABLE lagesbild_municipality (
    lagesbild_id TEXT NOT NULL REFERENCES lagesbild (id) ON DELETE CASCADE,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    PRIMARY KEY (lagesbild_id, municipality_code)
);

-- What staff wrote about a problem and whether it is a focus area. `theme` names the focus
-- area (theme) of the promise `document_id` it was linked to.
CREATE TABLE lagesbild_problem (
    lagesbild_id TEXT NOT NULL REFERENCES lagesbild (id) ON DELETE CASCADE,
    problem_key TEXT NOT NULL,
    analysis TEXT NOT NULL,
    notes TEXT NOT NULL,
    focus BIGINT NOT NULL,
    document_id TEXT REFERENCES promise_document (id),
    theme TEXT,
    PRIMARY KEY (lagesbild_id, problem_key)
);

-- Staff's choice of statistics as evidence for a problem: chosen 1 adds an indicator, 0 removes
-- one of the defaults (lofte_domain::lagesbild::default_indicators).
CREATE TABLE lagesbild_indicator (
    lagesbild_id TEXT NOT NULL REFERENCES lagesbild (id) ON DELETE CASCADE,
    problem_key TEXT NOT NULL,
    indicator_key TEXT NOT NULL,
    chosen BIGINT NOT NULL,
    PRIMARY KEY (lagesbild_id, problem_key, indicator_key)
);

-- A dated snapshot: the whole document as it was shown (JSON lofte_domain::lagesbild::Document,
-- staff view; the public view is derived from it). Never updated.
CREATE TABLE lagesbild_snapshot (
    id TEXT PRIMARY KEY,
    lagesbild_id TEXT NOT NULL REFERENCES lagesbild (id) ON DELETE CASCADE,
    made_on TEXT NOT NULL,
    made_at TEXT NOT NULL,
    made_by_name TEXT NOT NULL,
    public BIGINT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX lagesbild_snapshot_by_lagesbild ON lagesbild_snapshot (lagesbild_id, made_at);
