-- Receipts a centre gave for results it later lost (it was restored from
-- a backup): kept as evidence when the station sends the results again
-- and gets new receipts for them.
CREATE TABLE receipts_superseded (
    result_id     TEXT NOT NULL REFERENCES results(id),
    receipt       BLOB NOT NULL,
    log_index     INTEGER NOT NULL,
    verified_ms   INTEGER NOT NULL,
    superseded_ms INTEGER NOT NULL
) STRICT;
