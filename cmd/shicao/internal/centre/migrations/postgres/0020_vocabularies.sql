-- Vocabulary documents the centre published: SQLite's
-- 0020_vocabularies.sql in PostgreSQL's types (see it for what each
-- column holds).
CREATE TABLE vocabularies (
    version      BIGINT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    signed       BYTEA NOT NULL,
    published_ms BIGINT NOT NULL
);
