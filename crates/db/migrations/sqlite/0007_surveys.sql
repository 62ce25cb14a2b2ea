-- Surveys (enkäter): the questionnaire as JSON, anonymous answers, running counts, one-time
-- codes, free texts, and each municipality's sub-areas.

CREATE TABLE sub_area (
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (municipality_code, key)
);

CREATE TABLE survey (
    id TEXT PRIMARY KEY,
    municipality_code TEXT NOT NULL REFERENCES municipality (code),
    title TEXT NOT NULL,
    title_en TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- The questionnaire (lofte_domain::survey::Questionnaire) as JSON.
    questionnaire TEXT NOT NULL,
    opens_on TEXT,
    closes_on TEXT,
    requires_code INTEGER NOT NULL DEFAULT 0,
    min_cell INTEGER NOT NULL DEFAULT 5,
    results_public INTEGER NOT NULL DEFAULT 0,
    -- Number of answers, kept with every answer written.
    responses INTEGER NOT NULL DEFAULT 0,
    -- The population table for weighting, as JSON (see db::surveys::Population).
    population TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX survey_by_municipality ON survey (municipality_code, year);

-- One row per respondent. Nothing identifying: a random id, the day (no time), the language
-- and the answers without free text.
CREATE TABLE survey_response (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES survey (id) ON DELETE CASCADE,
    answered_on TEXT NOT NULL,
    language TEXT NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX survey_response_by_survey ON survey_response (survey_id);

-- Running counts per question, choice ('' = answered the question) and the respondent's
-- sub-area, gender and age group ('' = not given), updated in the transaction of each answer,
-- so results never scan the answers. The key's order and the index below let each of the
-- two groupings results need read an index in order (no sort, no table lookups).
CREATE TABLE survey_tally (
    survey_id TEXT NOT NULL REFERENCES survey (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    choice TEXT NOT NULL,
    sub_area TEXT NOT NULL,
    gender TEXT NOT NULL,
    age TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (survey_id, question, choice, gender, age, sub_area)
) WITHOUT ROWID;
CREATE INDEX survey_tally_by_sub_area ON survey_tally (survey_id, question, choice, sub_area, n);

-- Free-text answers, apart from the other answers (no link to the respondent's row; only the
-- month, as its first day, so that the day cannot link them either).
CREATE TABLE survey_free_text (
    id TEXT PRIMARY KEY,
    survey_id TEXT NOT NULL REFERENCES survey (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answered_on TEXT NOT NULL,
    text TEXT NOT NULL,
    -- Problem keys as a JSON array.
    tags TEXT NOT NULL DEFAULT '[]',
    -- The text as it may be published (personal data removed), and whether it is.
    quote TEXT,
    quote_published INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX survey_free_text_by_survey ON survey_free_text (survey_id, question);

-- One-time codes: only their SHA-256 is kept; a code is used once, by no one in particular.
CREATE TABLE survey_code (
    survey_id TEXT NOT NULL REFERENCES survey (id) ON DELETE CASCADE,
    code_sha256 TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (survey_id, code_sha256)
);
