-- Certificates an examiner held before a renewal or a revocation: a
-- result examined under the old certificate stays verifiable (the result
-- names the number the examiner signed in with, valid on the exam day).
CREATE TABLE certificate_history (
    examiner_id TEXT NOT NULL REFERENCES examiners(id),
    category    TEXT NOT NULL,
    number      TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL,
    replaced_ms INTEGER NOT NULL,
    PRIMARY KEY (examiner_id, category, number, valid_from)
) STRICT;
