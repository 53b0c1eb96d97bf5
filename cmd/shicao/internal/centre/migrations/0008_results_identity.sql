-- How each result's candidate was identified at the station (the signed
-- result's identity): 'card' (the ID-card reader), 'manual' (typed in
-- with a reason the examiners confirmed), '' (not recorded: a result
-- from before the ID-card check). identity_reason is the manual reason.
ALTER TABLE results ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE results ADD COLUMN identity_reason TEXT NOT NULL DEFAULT '';
