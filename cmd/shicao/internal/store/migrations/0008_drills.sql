-- Calibration drills installed at the station (shicao station drill
-- install, or pulled on sync): the centre's signed Drill note.
CREATE TABLE drills (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    standard     TEXT NOT NULL,
    version      INTEGER NOT NULL,
    signed       BLOB NOT NULL,
    installed_ms INTEGER NOT NULL
) STRICT;
