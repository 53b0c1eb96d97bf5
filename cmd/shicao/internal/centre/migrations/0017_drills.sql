-- Examiner calibration drills (issue 22 §3): a recorded exam item and
-- the marks a panel agreed on, signed by the centre and sent to every
-- station on sync (GET /v1/drills). Never part of an exam.
CREATE TABLE drills (
    id           TEXT PRIMARY KEY,
    standard     TEXT NOT NULL,     -- the item standard's id
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    sha256       TEXT NOT NULL,     -- of the signed note, as calibration records name it
    signed       BLOB NOT NULL,     -- the centre's signed Drill note
    published_ms INTEGER NOT NULL
) STRICT;
