-- SQLite is the system of record. Chroma is an index rebuilt from here.
CREATE TABLE IF NOT EXISTS documents (
    id            TEXT PRIMARY KEY,          -- sha256 of the source bytes
    source_key    TEXT NOT NULL UNIQUE,      -- where it came from (path or upload name)
    name          TEXT NOT NULL,
    path          TEXT NOT NULL,             -- original path as given
    stored_path   TEXT,                      -- copy of the source inside the workspace
    title         TEXT,
    kind          TEXT,
    study         TEXT,
    date          TEXT,
    participants  TEXT NOT NULL DEFAULT '[]',
    metadata      TEXT NOT NULL DEFAULT '{}',
    text          TEXT NOT NULL,
    size          INTEGER,
    ingested_at   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS snippets (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    speaker      TEXT NOT NULL,
    role         TEXT NOT NULL,
    participant  TEXT NOT NULL,
    text         TEXT NOT NULL,
    char_start   INTEGER NOT NULL,
    char_end     INTEGER NOT NULL,
    line         INTEGER,
    start_time   REAL,
    end_time     REAL,
    context      TEXT,
    sentiment    REAL NOT NULL DEFAULT 0,
    entities     TEXT NOT NULL DEFAULT '[]',
    meta         TEXT NOT NULL DEFAULT '{}',
    kind         TEXT,
    study        TEXT,
    date         TEXT,
    text_hash    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snippets_doc ON snippets(document_id, seq);
CREATE INDEX IF NOT EXISTS snippets_participant ON snippets(participant);

CREATE TABLE IF NOT EXISTS tags (
    name         TEXT PRIMARY KEY,
    origin       TEXT NOT NULL,              -- auto, taxonomy, manual
    description  TEXT
);

-- tags found at ingest; they go and come with their snippet
CREATE TABLE IF NOT EXISTS snippet_tags (
    snippet_id  TEXT NOT NULL REFERENCES snippets(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    origin      TEXT NOT NULL,
    PRIMARY KEY (snippet_id, tag)
);
CREATE INDEX IF NOT EXISTS snippet_tags_tag ON snippet_tags(tag);

-- a person's tag edits; keyed by stable snippet id, so they outlive re-ingestion
CREATE TABLE IF NOT EXISTS manual_tags (
    snippet_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    op          TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (snippet_id, tag)
);

CREATE TABLE IF NOT EXISTS features (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT '',
    archived     INTEGER NOT NULL DEFAULT 0,
    extra        TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- no foreign key to snippets: a confirmed link must outlive its snippet's re-ingestion
CREATE TABLE IF NOT EXISTS evidence_links (
    feature_id   TEXT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    snippet_id   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('suggested', 'confirmed', 'rejected')),
    score        REAL,
    who          TEXT,
    at           TEXT NOT NULL,
    note         TEXT,
    snippet_text TEXT,                       -- the quote as it was when linked
    document_id  TEXT,
    PRIMARY KEY (feature_id, snippet_id)
);

CREATE TABLE IF NOT EXISTS settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
