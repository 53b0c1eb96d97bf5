-- Training results refused as exam results: SQLite's
-- 0013_training_results.sql in PostgreSQL's types (see it for what each
-- column holds).
CREATE TABLE training_results (
    sha256    TEXT PRIMARY KEY,
    result    TEXT NOT NULL,
    station   TEXT NOT NULL,
    site      TEXT NOT NULL,
    candidate TEXT NOT NULL,
    body      BYTEA NOT NULL,
    at_ms     BIGINT NOT NULL
);
CREATE INDEX training_results_station ON training_results (station, at_ms);
