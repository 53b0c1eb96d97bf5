-- Analytics and oversight (issue #19). The figures are computed in SQL
-- over narrow rows filled at ingest from the signed result, so that no
-- page reads result bodies in a loop: each result's examiners, each drawn
-- item's score, each 评分项 that lost points, and the candidate's
-- training institution (培训机构, from the plan). Then the random pulls
-- of exam plans for inspection (随机调取考试计划) and the inspections.

ALTER TABLE results ADD COLUMN institution TEXT NOT NULL DEFAULT '';

CREATE TABLE result_examiners (
    log_index INTEGER NOT NULL REFERENCES results(log_index),
    examiner  TEXT NOT NULL,          -- 身份证号
    name      TEXT NOT NULL,
    PRIMARY KEY (log_index, examiner)
) STRICT;
CREATE INDEX result_examiners_examiner ON result_examiners (examiner);

CREATE TABLE result_items (
    log_index INTEGER NOT NULL REFERENCES results(log_index),
    item      INTEGER NOT NULL,       -- the item's place on the paper
    standard  TEXT NOT NULL,          -- the item's standard id
    title     TEXT NOT NULL,
    score     INTEGER NOT NULL,       -- tenths of a point
    passed    INTEGER NOT NULL,
    PRIMARY KEY (log_index, item)
) STRICT;

CREATE TABLE result_deductions (
    log_index INTEGER NOT NULL REFERENCES results(log_index),
    item      INTEGER NOT NULL,
    standard  TEXT NOT NULL,
    point     TEXT NOT NULL,          -- the 评分项's id in the standard
    title     TEXT NOT NULL,
    deducted  INTEGER NOT NULL,       -- tenths of a point taken off
    PRIMARY KEY (log_index, item, point)
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
