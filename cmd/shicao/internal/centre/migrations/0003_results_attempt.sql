-- Ingest looks up a candidate's result on a plan and attempt for every
-- upload (one result per attempt): without an index that is a scan of
-- every result received.
CREATE INDEX results_attempt ON results (plan_id, candidate, attempt);
