-- A candidate is admitted only without a result on the plan: looked up by
-- plan for every candidate verified.
CREATE INDEX results_plan ON results (plan_id);
