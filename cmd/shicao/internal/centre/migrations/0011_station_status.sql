-- The stations' live status (docs/console.md, POST /v1/status): the
-- latest status of each station, as it signed it, and when the centre
-- last heard from it. A status is a snapshot: one row per station,
-- replaced by the next. signed_ms is the station's signed time: a status
-- not newer than the one kept is a replay and refused.
CREATE TABLE station_status (
    station    TEXT PRIMARY KEY REFERENCES stations(name),
    body       BLOB NOT NULL,        -- the status as the station sent it (JSON)
    signed_ms  INTEGER NOT NULL,     -- the station's clock when it signed
    seen_ms    INTEGER NOT NULL,     -- the centre's clock when it kept it
    drifting   INTEGER NOT NULL DEFAULT 0  -- 1 while its clock is off beyond the threshold (alarmed once)
) STRICT;

-- Statuses refused (forged, unregistered, stale, replayed, malformed),
-- counted per claimed station and refusal code; never shown but as a
-- count. Statuses claiming no registered station are counted under
-- station '' (the name last claimed in last_claimed), so that made-up
-- names cannot grow the table. alarm_ms: when the last alarm was raised
-- for the row (one at most every ten minutes).
CREATE TABLE status_refusals (
    station      TEXT NOT NULL,
    code         TEXT NOT NULL,
    count        INTEGER NOT NULL,
    first_ms     INTEGER NOT NULL,
    last_ms      INTEGER NOT NULL,
    last_claimed TEXT NOT NULL,
    last_reason  TEXT NOT NULL,
    alarm_ms     INTEGER NOT NULL,
    PRIMARY KEY (station, code)
) STRICT;
