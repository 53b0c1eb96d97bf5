-- Results are judged by the standard in force on the exam date: a
-- version's last day of use (YYYY-MM-DD), '' for none. Versions
-- published before had no expires field (the format refused one).
ALTER TABLE standards ADD COLUMN expires TEXT NOT NULL DEFAULT '';
