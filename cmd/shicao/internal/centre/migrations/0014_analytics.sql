-- Analytics and oversight (issue #19). The figures are computed in SQL
-- over narrow rows summed at ingest from the signed result, so that no
-- page reads result bodies: pass counts per exam day by site, category,
-- training institution (培训机构, from the plan), examiner and item, and
-- each 评分项 that lost points. Then the random pulls of exam plans for
-- inspection (随机调取考试计划) and the inspections.

ALTER TABLE results ADD COLUMN institution TEXT NOT NULL DEFAULT '';

-- One row per exam day, grouping and group, summed at ingest: a year's
-- figures read a few thousand rows, never 100,000 results. dim is site,
-- category, institution, examiner (key: 身份证号) or item (key: the
-- standard's id; an attempt is one drawn item, its score the item's).
CREATE TABLE daily_rates (
    dim          TEXT NOT NULL,
    date         TEXT NOT NULL,
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,      -- a name to show: the examiner's, the item's title
    attempts     INTEGER NOT NULL,
    passed       INTEGER NOT NULL,
    first        INTEGER NOT NULL,   -- 正考
    first_passed INTEGER NOT NULL,
    resits       INTEGER NOT NULL,   -- 补考
    resit_passed INTEGER NOT NULL,
    score_sum    INTEGER NOT NULL,   -- tenths of a point
    PRIMARY KEY (dim, date, key)
) STRICT;

-- How often each 评分项 lost points, by exam day.
CREATE TABLE daily_deductions (
    date         TEXT NOT NULL,
    standard     TEXT NOT NULL,
    point        TEXT NOT NULL,      -- the 评分项's id in the standard
    title        TEXT NOT NULL,
    deducted     INTEGER NOT NULL,   -- attempts at the item that lost points here
    deducted_sum INTEGER NOT NULL,   -- tenths of a point taken off, summed
    PRIMARY KEY (date, standard, point)
) STRICT;

CREATE TABLE inspection_draws (
    id        INTEGER PRIMARY KEY,
    date      TEXT NOT NULL,          -- the exam day drawn from
    seed      TEXT NOT NULL,          -- shown and logged: anyone can redo the draw
    plan_ids  TEXT NOT NULL,          -- the day's plan ids drawn among, sorted, one a line
    plan_id   TEXT NOT NULL,          -- the plan drawn
    staff     TEXT NOT NULL,
    at_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE inspections (
    id        INTEGER PRIMARY KEY,
    draw_id   INTEGER NOT NULL REFERENCES inspection_draws(id),
    staff     TEXT NOT NULL,
    outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'issues', 'violation')),
    note      TEXT NOT NULL CHECK (note <> ''),
    at_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX inspections_draw ON inspections (draw_id);
