-- Examiner consistency (issue #19, analytics ask 6), summed at ingest as
-- daily_rates is (migration 0014): for each examiner and exam day, how
-- far their manual deductions stood from their co-examiners', how many
-- scoring points went to review on the sheets they marked, and, on the
-- scoring points that both examiners and sensors judge, how often one
-- deducted and the other did not.
CREATE TABLE daily_examiners (
    date          TEXT NOT NULL,
    examiner      TEXT NOT NULL,     -- 身份证号
    name          TEXT NOT NULL,
    sheets        INTEGER NOT NULL,  -- item sheets they marked
    pairs         INTEGER NOT NULL,  -- (sheet, co-examiner) pairs
    diff_sum      INTEGER NOT NULL,  -- tenths: their manual deduction on the sheet minus the co-examiner's, summed over pairs
    abs_diff_sum  INTEGER NOT NULL,  -- tenths: the same, each difference taken positive
    reviews       INTEGER NOT NULL,  -- scoring points sent to review (examiners apart beyond the tolerance) on their sheets
    both_points   INTEGER NOT NULL,  -- scoring points judged both by examiners' marks and by rules over the sensors' events
    examiner_only INTEGER NOT NULL,  -- of those: they deducted, the sensors did not
    sensor_only   INTEGER NOT NULL,  -- of those: the sensors deducted, they did not
    PRIMARY KEY (date, examiner)
) STRICT;

-- Which scoring points of a standard (by its SHA-256) examiners mark and
-- which rules judge, read once from the standard's text the first time
-- a result scored by it is summed: a result's sheet lists every point,
-- but not what could have deducted on it.
CREATE TABLE standard_points (
    sha256 TEXT NOT NULL,
    point  TEXT NOT NULL,
    marks  INTEGER NOT NULL,   -- 1: examiners mark it
    rules  INTEGER NOT NULL,   -- 1: rules over the events judge it
    PRIMARY KEY (sha256, point)
) STRICT;
