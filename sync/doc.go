// Package sync is the protocol between exam stations and the exam centre:
// the signed documents the centre sends down (exam plans, the examiner and
// equipment registry), the result bundles stations send up (ResultDoc,
// Bundle, DecodeBundle, and BundleVerifier, which re-scores them), the
// end-of-day Reconciliation, slip codes, receipts, and the station's
// uploader. It imports scoring and standards and nothing of the station or
// the centre, which both build on it. Importers alias it examsync, since it
// shadows the standard library's sync.
package sync
