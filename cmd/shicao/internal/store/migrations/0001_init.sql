-- The station's database. Every exam fact is here; the event log is
-- append-only and hash-chained.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Province verifier keys this station trusts (pinned), and the threshold in meta.
CREATE TABLE trust_roots (
    name     TEXT NOT NULL,
    vkey     TEXT NOT NULL PRIMARY KEY,
    added_ms INTEGER NOT NULL
) STRICT;

-- Installed standards and blueprints: the exact signed bytes.
CREATE TABLE standards (
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('standard', 'blueprint')),
    title        TEXT NOT NULL,
    effective    TEXT NOT NULL,
    signed       BLOB NOT NULL,
    signers      TEXT NOT NULL,
    installed_ms INTEGER NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

-- The highest version ever accepted per id: rollback protection. Written in
-- the same transaction as the install, so it survives a crash.
CREATE TABLE standards_seen (
    id      TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    sha256  TEXT NOT NULL
) STRICT;

-- Refusals worth a person's attention (equivocation, forged signatures).
CREATE TABLE alarms (
    id      INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL
) STRICT;

-- The registry from the centre: examiners, their certificates, the site's equipment.
CREATE TABLE examiners (
    id       TEXT PRIMARY KEY,          -- 身份证号 or the centre's examiner id
    name     TEXT NOT NULL,
    pin_hash TEXT NOT NULL             -- argon2id/scrypt-style encoded hash, never the PIN
) STRICT;

CREATE TABLE certificates (
    examiner_id TEXT NOT NULL REFERENCES examiners(id),
    category    TEXT NOT NULL,          -- 作业类别
    number      TEXT NOT NULL,          -- 证书编号
    valid_from  TEXT NOT NULL,          -- YYYY-MM-DD
    valid_to    TEXT NOT NULL,
    PRIMARY KEY (examiner_id, category, number)
) STRICT;

CREATE TABLE equipment (
    serial   TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    model    TEXT NOT NULL,
    site     TEXT NOT NULL
) STRICT;

-- Exam plans (考试计划) issued by the centre.
CREATE TABLE plans (
    id        TEXT PRIMARY KEY,
    date      TEXT NOT NULL,
    site      TEXT NOT NULL,
    category  TEXT NOT NULL,
    blueprint TEXT NOT NULL,
    signed    BLOB NOT NULL
) STRICT;

CREATE TABLE plan_candidates (
    plan_id   TEXT NOT NULL REFERENCES plans(id),
    id_number TEXT NOT NULL,            -- 身份证号
    name      TEXT NOT NULL,
    attempt   INTEGER NOT NULL DEFAULT 1,   -- 1 正考, 2 补考
    PRIMARY KEY (plan_id, id_number)
) STRICT;

CREATE TABLE plan_examiners (
    plan_id     TEXT NOT NULL REFERENCES plans(id),
    examiner_id TEXT NOT NULL,
    PRIMARY KEY (plan_id, examiner_id)
) STRICT;

-- One exam item run for one candidate.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    attempt_id  TEXT NOT NULL,           -- the candidate's paper attempt this item belongs to
    plan_id     TEXT NOT NULL,
    candidate   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    standard    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    state       TEXT NOT NULL,           -- running, finished, voided
    created_ms  INTEGER NOT NULL,
    head_seq    INTEGER NOT NULL DEFAULT 0,
    head_hash   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
) STRICT;

-- The append-only, hash-chained event log.
CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq        INTEGER NOT NULL,
    t_ms       INTEGER NOT NULL,         -- monotonic since session.start
    wall_ms    INTEGER NOT NULL,         -- wall clock, for people; not scored
    type       TEXT NOT NULL,
    source     TEXT NOT NULL,
    data       BLOB,                     -- canonical JSON object
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    PRIMARY KEY (session_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Signed results and the outbox that carries them to the centre. A result
-- and its outbox row are written in one transaction.
CREATE TABLE results (
    id          TEXT PRIMARY KEY,
    attempt_id  TEXT NOT NULL,
    candidate   TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    total       TEXT NOT NULL,
    passed      INTEGER NOT NULL,
    signed      BLOB NOT NULL,
    created_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox (
    result_id   TEXT PRIMARY KEY REFERENCES results(id),
    body        BLOB NOT NULL,           -- the exact bytes to send
    state       TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'parked')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_ms     INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE receipts (
    result_id  TEXT PRIMARY KEY REFERENCES results(id),
    receipt    BLOB NOT NULL,
    log_index  INTEGER NOT NULL,
    verified_ms INTEGER NOT NULL
) STRICT;
