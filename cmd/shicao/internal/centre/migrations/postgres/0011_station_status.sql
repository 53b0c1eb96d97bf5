-- The stations' live status: SQLite's 0011_station_status.sql in
-- PostgreSQL's types (see it for what each column holds).
CREATE TABLE station_status (
    station    TEXT PRIMARY KEY REFERENCES stations(name),
    body       BYTEA NOT NULL,
    signed_ms  BIGINT NOT NULL,
    seen_ms    BIGINT NOT NULL,
    drifting   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE status_refusals (
    station      TEXT NOT NULL,
    code         TEXT NOT NULL,
    count        BIGINT NOT NULL,
    first_ms     BIGINT NOT NULL,
    last_ms      BIGINT NOT NULL,
    last_claimed TEXT NOT NULL,
    last_reason  TEXT NOT NULL,
    alarm_ms     BIGINT NOT NULL,
    PRIMARY KEY (station, code)
);
