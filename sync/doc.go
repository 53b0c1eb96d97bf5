// Package sync is the protocol between exam stations and the exam centre:
// the signed documents the centre sends down (exam plans, the examiner and
// equipment registry), the result bundles stations send up, receipts, and
// the station's uploader. Importers alias it examsync, since it shadows
// the standard library's sync.
package sync
