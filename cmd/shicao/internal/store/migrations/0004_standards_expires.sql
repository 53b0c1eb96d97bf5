-- Every installed version is kept and the one in force on the exam day is
-- drawn: a version's last day of use (YYYY-MM-DD), '' for none. Rows
-- installed before had no expires field (the format refused one).
ALTER TABLE standards ADD COLUMN expires TEXT NOT NULL DEFAULT '';
