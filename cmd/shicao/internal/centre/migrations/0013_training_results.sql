-- Training results (考培分离) a station uploaded as exam results: refused
-- (422 training-result, an alarm), never receipted nor appended to the
-- Merkle log, but kept as sent, for people to see and the institution to
-- ask about. The same bytes sent again are kept once.
CREATE TABLE training_results (
    sha256    TEXT PRIMARY KEY,
    result    TEXT NOT NULL,      -- the result's id
    station   TEXT NOT NULL,      -- the station that sent it
    site      TEXT NOT NULL,      -- the site the result names
    candidate TEXT NOT NULL,      -- the trainee's 身份证号
    body      BLOB NOT NULL,      -- the bundle, exact bytes
    at_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX training_results_station ON training_results (station, at_ms);
