-- Calibration drills: SQLite's 0017_drills.sql in PostgreSQL's types (see
-- it for what each column holds).
CREATE TABLE drills (
    id           TEXT PRIMARY KEY,
    standard     TEXT NOT NULL,
    version      BIGINT NOT NULL,
    title        TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    signed       BYTEA NOT NULL,
    published_ms BIGINT NOT NULL
);
