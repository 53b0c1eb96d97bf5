-- The exam centre's database: the registry it issues from, the standards
-- it relays, the results it received and the Merkle log over them.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Province verifier keys: a standard is published only when they sign it.
CREATE TABLE trust_roots (
    name     TEXT NOT NULL,
    vkey     TEXT NOT NULL PRIMARY KEY,
    added_ms INTEGER NOT NULL
) STRICT;

-- Exam sites. accepted = 1: an accepted exam site (考点); 0: a training
-- institution's site, where no exam may run (考培分离).
CREATE TABLE sites (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    added_ms INTEGER NOT NULL
) STRICT;

-- Stations and the keys that sign their requests and results.
CREATE TABLE stations (
    name     TEXT PRIMARY KEY,
    site     TEXT NOT NULL REFERENCES sites(id),
    vkey     TEXT NOT NULL UNIQUE,
    added_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE equipment (
    serial   TEXT PRIMARY KEY,
    site     TEXT NOT NULL REFERENCES sites(id),
    kind     TEXT NOT NULL,
    model    TEXT NOT NULL,
    added_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE examiners (
    id       TEXT PRIMARY KEY,       -- 身份证号
    name     TEXT NOT NULL,
    pin_hash TEXT NOT NULL           -- argon2id, never the PIN
) STRICT;

CREATE TABLE certificates (
    examiner_id TEXT NOT NULL REFERENCES examiners(id),
    category    TEXT NOT NULL,       -- 作业类别
    number      TEXT NOT NULL,       -- 证书编号
    valid_from  TEXT NOT NULL,       -- YYYY-MM-DD
    valid_to    TEXT NOT NULL,
    PRIMARY KEY (examiner_id, category)
) STRICT;

-- Exam plans as issued: the signed document is what stations get.
CREATE TABLE plans (
    id        TEXT PRIMARY KEY,
    date      TEXT NOT NULL,
    site      TEXT NOT NULL REFERENCES sites(id),
    station   TEXT NOT NULL REFERENCES stations(name),
    category  TEXT NOT NULL,
    blueprint TEXT NOT NULL,
    doc       TEXT NOT NULL,          -- the plan's JSON (candidates, examiners)
    signed    BLOB NOT NULL,
    issued_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX plans_station ON plans (station);

-- Standards and blueprints relayed, in publication order (seq).
CREATE TABLE standards (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('standard', 'blueprint')),
    title        TEXT NOT NULL,
    effective    TEXT NOT NULL,
    signed       BLOB NOT NULL,
    signers      TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    UNIQUE (id, version)
) STRICT;

-- Results received: the exact bytes, their hash, their place in the log
-- and the receipt given (sent again, byte for byte, for the same bytes).
CREATE TABLE results (
    id          TEXT PRIMARY KEY,
    log_index   INTEGER NOT NULL UNIQUE,
    station     TEXT NOT NULL,
    site        TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    date        TEXT NOT NULL,
    category    TEXT NOT NULL,
    candidate   TEXT NOT NULL,
    name        TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    total       TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    examiners   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    body        BLOB NOT NULL,
    receipt     BLOB NOT NULL,
    received_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX results_sha256 ON results (sha256);

-- Refusals people must look at: a result id sent again with other bytes,
-- a forged result.
CREATE TABLE alarms (
    id      INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    station TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
) STRICT;

-- The Merkle log's stored hashes (golang.org/x/mod/sumdb/tlog's
-- StoredHashIndex numbering) and every checkpoint signed.
CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
) STRICT;

CREATE TABLE checkpoints (
    size   INTEGER PRIMARY KEY,
    signed BLOB NOT NULL
) STRICT;

-- Nonces of accepted requests, kept while their signed time is within
-- the allowed clock skew.
CREATE TABLE nonces (
    station TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    at_ms   INTEGER NOT NULL,
    PRIMARY KEY (station, nonce)
) STRICT;
CREATE INDEX nonces_at ON nonces (at_ms);
