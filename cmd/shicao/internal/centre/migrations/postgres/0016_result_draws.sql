-- The random pull of results: SQLite's 0016_result_draws.sql (see it for
-- what the column holds).
ALTER TABLE inspection_draws ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'result'));
