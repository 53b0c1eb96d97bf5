-- Calibration records: SQLite's 0018_calibrations.sql in PostgreSQL's
-- types (see it for what each column holds).
CREATE TABLE calibrations (
    id        TEXT PRIMARY KEY,
    sha256    TEXT NOT NULL,
    station   TEXT NOT NULL,
    site      TEXT NOT NULL,
    drill     TEXT NOT NULL,
    examiner  TEXT NOT NULL,
    name      TEXT NOT NULL,
    signed_ms BIGINT NOT NULL,
    at_ms     BIGINT NOT NULL,
    via       TEXT NOT NULL,
    body      BYTEA NOT NULL
);
CREATE INDEX calibrations_examiner ON calibrations (examiner, signed_ms);

CREATE TABLE calibration_items (
    calibration TEXT NOT NULL,
    item        TEXT NOT NULL,
    title       TEXT NOT NULL,
    standard    TEXT NOT NULL,
    panel       BIGINT NOT NULL,
    deduct      BIGINT NOT NULL,
    tolerance   BIGINT NOT NULL,
    PRIMARY KEY (calibration, item)
);
