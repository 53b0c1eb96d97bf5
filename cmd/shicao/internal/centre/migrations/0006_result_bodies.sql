-- A result's body (the exact signed bytes, hundreds of KB) apart from
-- the narrow columns that lists, exports and syncs read: in the results
-- row, receipt and received_ms sat after the body, so every read of them
-- walked the body's overflow pages. Keyed by log index, so that log
-- verify reads bodies in log order from one b-tree.
CREATE TABLE result_bodies (
    log_index INTEGER PRIMARY KEY REFERENCES results(log_index),
    body      BLOB NOT NULL
) STRICT;
INSERT INTO result_bodies (log_index, body) SELECT log_index, body FROM results ORDER BY log_index;
ALTER TABLE results DROP COLUMN body;

-- Every lookup on a hot path has its index: results by exam date
-- (ResultsOn, exports), by station and by candidate (a plan's results are
-- found by results_attempt, whose first column is plan_id).
CREATE INDEX results_date ON results (date);
CREATE INDEX results_station ON results (station);
CREATE INDEX results_candidate ON results (candidate);
