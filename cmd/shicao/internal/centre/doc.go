// Package centre is the exam centre (考务中心): its storage (SQLite), the
// registry of stations, sites, equipment and examiners it issues from,
// the exam plans it signs, the province standards it relays, and the
// results it receives — each verified, re-scored and appended to a
// Merkle log (golang.org/x/mod/sumdb/tlog) whose signed checkpoint and
// inclusion proof form the station's receipt.
//
// A *Centre implements the interfaces of the HTTP layer in package sync
// (examsync.StationKeys, Nonces, Ingester, Downlink, LogProver); another
// SQL engine would implement the same.
package centre
