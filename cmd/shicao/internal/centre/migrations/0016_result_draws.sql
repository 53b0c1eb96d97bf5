-- The random pull of results for inspection (issue #19, oversight ask
-- 5), beside that of exam plans (migration 0014): a draw's kind says
-- what its pool holds — the day's plan ids, or the day's result ids —
-- and plan_ids and plan_id hold the pool and the id drawn of that kind.
ALTER TABLE inspection_draws ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'result'));
