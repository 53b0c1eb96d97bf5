-- Wrong PINs and lockouts per examiner, kept across restarts: a restart,
-- a power cycle or systemd's Restart= must not reset an attacker's count.
-- failures counts wrong PINs since the last lockout or right PIN; lockouts
-- counts the lockouts since the last right PIN (each lasts longer).
CREATE TABLE pin_lockouts (
    examiner_id     TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    lockouts        INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL
) STRICT;
