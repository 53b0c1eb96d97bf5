// Package scoring turns a standard and a session's event log into a score
// sheet, and a blueprint and its sheets into a paper result.
//
// Scoring is pure: Score is a deterministic fold over the ordered log, with
// no clock, no I/O, no globals, no dependence on map order and integer
// arithmetic in tenths of a point. So anyone holding the standard and the
// events can re-score a result bit for bit (`shicao score`).
package scoring
