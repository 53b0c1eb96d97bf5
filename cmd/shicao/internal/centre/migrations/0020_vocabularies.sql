-- Vocabulary documents (new device kinds and event types) the centre
-- published, every version kept: stations pull the newest, and a result
-- names the version its standards were checked against, which the
-- centre re-scores with and checks it relayed. Versions only go up, and
-- each document only adds to the one before (centre.PublishVocabulary).
CREATE TABLE vocabularies (
    version      INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL,      -- of the document's text, as a result names it
    signed       BLOB NOT NULL,      -- the province's signed note, exact bytes
    published_ms INTEGER NOT NULL
) STRICT;
