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
    ingested_at   TEXT NOT NULL,
    language      TEXT                       -- ISO 639-1 code, detected at ingest
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
    origin      TEXT NOT NULL,               -- auto (rules), model (learned), taxonomy
    confidence  REAL,                        -- the model's probability, for origin model
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

-- the one definition of a snippet's tags: ingest tags not removed by hand, plus tags added by hand
CREATE VIEW IF NOT EXISTS effective_tags (snippet_id, tag) AS
    SELECT st.snippet_id, st.tag FROM snippet_tags st WHERE NOT EXISTS (
        SELECT 1 FROM manual_tags m WHERE m.snippet_id = st.snippet_id AND m.tag = st.tag AND m.op = 'remove')
    UNION
    SELECT m.snippet_id, m.tag FROM manual_tags m JOIN snippets s ON s.id = m.snippet_id WHERE m.op = 'add';

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

-- roadmap: confirmed links whose quote vanished or changed when their source file was
-- re-ingested; cleared when a person links the snippet again (or the quote comes back)
CREATE TABLE IF NOT EXISTS evidence_flags (
    feature_id       TEXT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    snippet_id       TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('missing', 'changed')),
    old_document_id  TEXT,
    new_document_id  TEXT,
    at               TEXT NOT NULL,
    PRIMARY KEY (feature_id, snippet_id)
);

-- roadmap: themes suggested for a feature and a person's verdict on them; members as they
-- were when suggested, so exports group quotes the same way every time
CREATE TABLE IF NOT EXISTS feature_themes (
    feature_id   TEXT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    theme_id     TEXT NOT NULL,
    label        TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('suggested', 'confirmed', 'rejected')),
    score        REAL,
    keywords     TEXT NOT NULL DEFAULT '[]',
    snippet_ids  TEXT NOT NULL DEFAULT '[]',
    at           TEXT NOT NULL,
    PRIMARY KEY (feature_id, theme_id)
);

-- themes: the last clustering per selection (scope) plus the researcher's decisions
CREATE TABLE IF NOT EXISTS themes (
    id          TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,               -- the selection, e.g. 'tags=pain_point'
    name        TEXT,                        -- the researcher's name; NULL: the machine's label
    label       TEXT NOT NULL DEFAULT '',    -- the machine's last label
    keywords    TEXT NOT NULL DEFAULT '[]',
    state       TEXT NOT NULL DEFAULT 'auto' CHECK (state IN ('auto', 'kept', 'pinned')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS themes_scope ON themes(scope, state);

-- no foreign key to snippets: snippet ids are stable, membership outlives re-ingestion
CREATE TABLE IF NOT EXISTS theme_members (
    theme_id    TEXT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    snippet_id  TEXT NOT NULL,
    PRIMARY KEY (theme_id, snippet_id)
);
CREATE INDEX IF NOT EXISTS theme_members_snippet ON theme_members(snippet_id);

-- a snippet placed by hand (theme_id NULL: unthemed); clustering never overrides it
CREATE TABLE IF NOT EXISTS theme_moves (
    scope       TEXT NOT NULL,
    snippet_id  TEXT NOT NULL,
    theme_id    TEXT,
    at          TEXT NOT NULL,
    PRIMARY KEY (scope, snippet_id)
);

-- a merged-away theme id points at the theme it was merged into
CREATE TABLE IF NOT EXISTS theme_aliases (
    old_id      TEXT PRIMARY KEY,
    theme_id    TEXT NOT NULL
);

-- named snapshots of a theme set as it was when saved (JSON: themes, members, counts)
CREATE TABLE IF NOT EXISTS theme_sets (
    name        TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    data        TEXT NOT NULL
);

-- who applied a manual tag and when, when a REFI-QDA project said so on import; `manual_at`
-- is the manual_tags edit it belongs to, so a later edit by hand is not credited to them
CREATE TABLE IF NOT EXISTS tag_authors (
    snippet_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT,
    manual_at   TEXT NOT NULL,
    PRIMARY KEY (snippet_id, tag)
);
-- highlights: a span a person marked in a document, verbatim at exact offsets
-- (text = documents.text[char_start:char_end]). No foreign key to documents: a
-- highlight follows its file when it is re-ingested, or waits in state 'review'
-- when the words under it changed (document_id is then the newest version and
-- old_document_id the one it was made on).
CREATE TABLE IF NOT EXISTS highlights (
    id               TEXT PRIMARY KEY,
    document_id      TEXT NOT NULL,
    char_start       INTEGER NOT NULL,
    char_end         INTEGER NOT NULL,
    text             TEXT NOT NULL,
    speaker          TEXT NOT NULL,
    role             TEXT NOT NULL,
    participant      TEXT NOT NULL,
    context_before   TEXT NOT NULL DEFAULT '',   -- the text just around it when it was made,
    context_after    TEXT NOT NULL DEFAULT '',   -- to find it again in a new version of its file
    note             TEXT,
    author           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'review')),
    reason           TEXT,
    old_document_id  TEXT
);
CREATE INDEX IF NOT EXISTS highlights_doc ON highlights(document_id, char_start);

CREATE TABLE IF NOT EXISTS highlight_tags (
    highlight_id  TEXT NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    tag           TEXT NOT NULL,
    PRIMARY KEY (highlight_id, tag)
);
CREATE INDEX IF NOT EXISTS highlight_tags_tag ON highlight_tags(tag);

-- a highlight confirmed as evidence for a roadmap feature
CREATE TABLE IF NOT EXISTS feature_highlights (
    feature_id    TEXT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    highlight_id  TEXT NOT NULL REFERENCES highlights(id) ON DELETE CASCADE,
    who           TEXT,
    at            TEXT NOT NULL,
    note          TEXT,
    PRIMARY KEY (feature_id, highlight_id)
);

-- insights: one-sentence findings; a draft proposed from a theme stays 'draft' until a
-- person edits or accepts it
CREATE TABLE IF NOT EXISTS insights (
    id          TEXT PRIMARY KEY,
    statement   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    origin      TEXT NOT NULL DEFAULT 'researcher',   -- researcher, theme
    theme_id    TEXT,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- an insight's evidence: snippets and highlights that support or contradict it. No foreign
-- key: evidence outlives re-ingestion; `text` is the quote as attached, so a changed one is
-- reported for review instead of counted
CREATE TABLE IF NOT EXISTS insight_evidence (
    insight_id   TEXT NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('snippet', 'highlight')),
    ref_id       TEXT NOT NULL,
    stance       TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts')),
    text         TEXT NOT NULL,
    document_id  TEXT,
    who          TEXT,
    at           TEXT NOT NULL,
    note         TEXT,
    PRIMARY KEY (insight_id, kind, ref_id)
);

CREATE TABLE IF NOT EXISTS insight_features (
    insight_id  TEXT NOT NULL REFERENCES insights(id) ON DELETE CASCADE,
    feature_id  TEXT NOT NULL REFERENCES features(id) ON DELETE CASCADE,
    who         TEXT,
    at          TEXT NOT NULL,
    PRIMARY KEY (insight_id, feature_id)
);
CREATE INDEX IF NOT EXISTS insight_features_feature ON insight_features(feature_id);

-- who may sign in to the app, with an argon2 hash of their password; `failures` and
-- `locked_until` slow down guessing and survive a restart
CREATE TABLE IF NOT EXISTS accounts (
    name          TEXT PRIMARY KEY,
    password      TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    failures      INTEGER NOT NULL DEFAULT 0,
    locked_until  REAL NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- signed-in sessions, by the sha256 of their token (the token itself is never stored)
CREATE TABLE IF NOT EXISTS sessions (
    token_hash  TEXT PRIMARY KEY,
    account     TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    created_at  REAL NOT NULL,
    expires_at  REAL NOT NULL
);

-- the audit trail: one row per human change, written in the change's own transaction;
-- `changes` holds the journaled rows as they were before and after ([table, old, new]).
-- journal.jsonl beside this file holds the same entries, so they outlive it
CREATE TABLE IF NOT EXISTS audit (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    at       TEXT NOT NULL,
    who      TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT '{}',
    changes  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_who ON audit(who, at);
