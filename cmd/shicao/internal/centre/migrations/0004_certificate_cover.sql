-- How far each certificate kept in history still explains a result, per
-- the registry as the centre knows it now. A renewal keeps the old
-- certificate's whole window (covers_to = valid_to). An import that
-- withdraws the category's certificate (是否持证 否) sets covers_to to ''
-- on every certificate kept for it, and one that ends it earlier than the
-- registry said cuts covers_to to the new end: history explains only what
-- the registry still grants. ('' sorts before every YYYY-MM-DD.)
ALTER TABLE certificate_history ADD COLUMN covers_to TEXT NOT NULL DEFAULT '';
UPDATE certificate_history SET covers_to = valid_to;
