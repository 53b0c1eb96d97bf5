-- Appeals (申诉/复核): every state of an appeal is a document the centre
-- signs and appends to the Merkle log beside the results (a record of
-- another kind, sync.AppealRecord); the result's row and bytes are never
-- changed. log_index shares the results' numbering.
CREATE TABLE appeal_records (
    log_index INTEGER PRIMARY KEY,
    appeal    TEXT NOT NULL,      -- the appeal's id
    seq       INTEGER NOT NULL,   -- 1: filed, 2: assigned, 3: decided
    result    TEXT NOT NULL REFERENCES results(id),
    state     TEXT NOT NULL,
    signed    BLOB NOT NULL,      -- the centre-signed document, exact bytes
    sha256    TEXT NOT NULL,
    receipt   BLOB NOT NULL,
    at_ms     INTEGER NOT NULL,
    UNIQUE (appeal, seq)
) STRICT;
CREATE INDEX appeal_records_result ON appeal_records (result);

-- Stations' end-of-day reconciliations, as signed, and the alarms they
-- raise. An alarm can be resolved: a reconciliation's queued result
-- raises one that stays until the result arrives.
CREATE TABLE reconciliations (
    id       INTEGER PRIMARY KEY,
    station  TEXT NOT NULL,
    date     TEXT NOT NULL,
    signed   BLOB NOT NULL,
    at_ms    INTEGER NOT NULL
) STRICT;
ALTER TABLE alarms ADD COLUMN resolved_ms INTEGER;
CREATE INDEX alarms_open ON alarms (kind, subject) WHERE resolved_ms IS NULL;
