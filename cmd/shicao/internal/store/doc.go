// Package store is the exam station's SQLite database (modernc.org/sqlite):
// its identity and trust roots, installed standards with rollback
// protection, the centre's registry and plans, the hash-chained event log
// of every session with group commit, signed results and the outbox.
//
// The database runs in WAL mode with synchronous FULL: an event is
// acknowledged only after it is on disk. Driver errors are translated here;
// callers see ErrNotFound and wrapped errors with context.
package store
