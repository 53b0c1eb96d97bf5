-- Calibration records: what one examiner marked on a drill, signed by the
-- station. Kept apart from results: never receipted, never in the exam
-- log. via says how it came: "calibrations" (POST /v1/calibrations) or
-- "results" (sent as an exam result, refused 422 calibration-result and
-- kept all the same). calibration_items holds the examiner's deduction
-- on each 评分项 against the panel's, as the centre scored the marks.
CREATE TABLE calibrations (
    id        TEXT PRIMARY KEY,
    sha256    TEXT NOT NULL,
    station   TEXT NOT NULL,
    site      TEXT NOT NULL,
    drill     TEXT NOT NULL,
    examiner  TEXT NOT NULL,        -- the examiner's 身份证号
    name      TEXT NOT NULL,
    signed_ms INTEGER NOT NULL,
    at_ms     INTEGER NOT NULL,
    via       TEXT NOT NULL,
    body      BLOB NOT NULL         -- the signed record, exact bytes
) STRICT;
CREATE INDEX calibrations_examiner ON calibrations (examiner, signed_ms);

CREATE TABLE calibration_items (
    calibration TEXT NOT NULL,
    item        TEXT NOT NULL,      -- the 评分项's id
    title       TEXT NOT NULL,
    standard    TEXT NOT NULL,
    panel       INTEGER NOT NULL,   -- tenths of a point
    deduct      INTEGER NOT NULL,   -- the examiner's, tenths
    tolerance   INTEGER NOT NULL,   -- the standard's examiner tolerance, tenths
    PRIMARY KEY (calibration, item)
) STRICT;
