-- Examiner consistency: SQLite's 0015_examiner_consistency.sql in
-- PostgreSQL's types (see it for what each column holds).
CREATE TABLE daily_examiners (
    date          TEXT NOT NULL,
    examiner      TEXT NOT NULL,
    name          TEXT NOT NULL,
    sheets        BIGINT NOT NULL,
    pairs         BIGINT NOT NULL,
    diff_sum      BIGINT NOT NULL,
    abs_diff_sum  BIGINT NOT NULL,
    reviews       BIGINT NOT NULL,
    both_points   BIGINT NOT NULL,
    examiner_only BIGINT NOT NULL,
    sensor_only   BIGINT NOT NULL,
    PRIMARY KEY (date, examiner)
);

CREATE TABLE standard_points (
    sha256 TEXT NOT NULL,
    point  TEXT NOT NULL,
    marks  BIGINT NOT NULL,
    rules  BIGINT NOT NULL,
    PRIMARY KEY (sha256, point)
);
