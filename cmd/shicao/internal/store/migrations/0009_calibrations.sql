-- Calibration records signed at the station, waiting for the centre
-- (POST /v1/calibrations on sync). Never in the results outbox: a
-- calibration record is not an exam result. sent_ms 0: not yet taken;
-- refused: the centre's reason, parked.
CREATE TABLE calibrations (
    id        TEXT PRIMARY KEY,
    drill     TEXT NOT NULL,
    examiner  TEXT NOT NULL,
    signed    BLOB NOT NULL,
    made_ms   INTEGER NOT NULL,
    sent_ms   INTEGER NOT NULL DEFAULT 0,
    answer    BLOB,
    refused   TEXT NOT NULL DEFAULT ''
) STRICT;
