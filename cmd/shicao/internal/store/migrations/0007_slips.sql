-- Score slips printed for results (docs/slip.md). A result without a row,
-- or with printed_ms 0, has its slip queued: the exam never waits for the
-- printer. The receipt line (the centre's log index) is printed apart,
-- once the receipt is verified. Results saved before slips existed are
-- not queued (printed_ms -1): they print on request only.
CREATE TABLE slips (
    result_id          TEXT PRIMARY KEY REFERENCES results(id),
    printed_ms         INTEGER NOT NULL DEFAULT 0,
    index_printed_ms   INTEGER NOT NULL DEFAULT 0,
    prints             INTEGER NOT NULL DEFAULT 0,
    attempts           INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO slips (result_id, printed_ms) SELECT id, -1 FROM results;
