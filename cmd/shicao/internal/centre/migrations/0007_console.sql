-- The console's staff accounts, their sessions and the audit trail of
-- what they did (docs/console.md).

-- Staff accounts. role: admin, staff (runs the day) or inspector (reads
-- and re-verifies only). Failed sign-ins in a row and the lockout they
-- caused are kept here, so a restart does not reset them.
CREATE TABLE staff (
    name            TEXT PRIMARY KEY,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'inspector')),
    pw_hash         TEXT NOT NULL,   -- argon2id, never the password
    failures        INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    added_ms        INTEGER NOT NULL
) STRICT;

-- Signed-in sessions. id_hash is the SHA-256 of the cookie's random id:
-- a copy of the database does not give anyone a live session.
CREATE TABLE staff_sessions (
    id_hash    TEXT PRIMARY KEY,
    staff      TEXT NOT NULL REFERENCES staff(name),
    csrf       TEXT NOT NULL,        -- the session's form token
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_sessions_expires ON staff_sessions (expires_ms);

-- Every staff action: who, what, when, from where. Append-only: the
-- triggers refuse any change or removal.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms  INTEGER NOT NULL,
    staff  TEXT NOT NULL,            -- the account, or the name tried at a refused sign-in
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    remote TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- The console searches results by these narrow columns, newest first
-- (log_index), a page at a time: each search is an index range, never a
-- scan of the table or of the result bodies.
-- 0006 indexed date, station and candidate alone; the console's search
-- orders by log index within each, so these replace them.
DROP INDEX IF EXISTS results_candidate;
DROP INDEX IF EXISTS results_date;
DROP INDEX IF EXISTS results_station;
CREATE INDEX results_candidate ON results (candidate, log_index);
CREATE INDEX results_name ON results (name, log_index);
CREATE INDEX results_date ON results (date, log_index);
CREATE INDEX results_site ON results (site, log_index);
CREATE INDEX results_category ON results (category, log_index);
CREATE INDEX results_station ON results (station, log_index);

-- Alarms acknowledged by staff, with a note: one acknowledgement per
-- alarm, kept (the alarm itself is never changed).
CREATE TABLE alarm_acks (
    alarm_id INTEGER PRIMARY KEY REFERENCES alarms(id),
    staff    TEXT NOT NULL,
    note     TEXT NOT NULL CHECK (note <> ''),
    at_ms    INTEGER NOT NULL
) STRICT;
