-- How each result's candidate was identified at the station (the signed
-- result's identity): 'card' (the ID-card reader), 'manual' (typed in
-- with a reason the examiners confirmed), '' (not recorded: a result
-- from before the ID-card check). identity_reason is the manual reason.
ALTER TABLE results ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN identity_reason TEXT NOT NULL DEFAULT '';

-- A day's examiner draw (centre assign): the seed stays secret until the
-- exam day is over; its SHA-256 is published in the signed commitment
-- before the day, with the SHA-256 of the draw's input (plans and pool)
-- and of its outcome. Anyone redoes the draw from input and revealed seed.
CREATE TABLE assign_draws (
    date         TEXT PRIMARY KEY,      -- YYYY-MM-DD
    seed         TEXT NOT NULL,         -- secret until revealed_ms
    seed_sha256  TEXT NOT NULL,
    input        TEXT NOT NULL,         -- examsync.DrawInput JSON
    assignment   TEXT NOT NULL,         -- plan id -> examiners JSON
    commitment   TEXT NOT NULL,         -- the signed note published before the day
    committed_ms INTEGER NOT NULL,
    revealed_ms  INTEGER NOT NULL DEFAULT 0
) STRICT;
