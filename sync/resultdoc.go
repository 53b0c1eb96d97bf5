package sync

import "shicao/scoring"

// ResultFormat names the result document's version.
const ResultFormat = "shicao-result/1"

// ResultDoc is a candidate's signed paper result: who, where, under which
// plan, by which examiners and equipment, each item's standard (id,
// version, SHA-256), its sheet and its log's length and chain head, and
// the paper total. The station signs its JSON as a signed note.
type ResultDoc struct {
	Format    string       `json:"format"`
	ID        string       `json:"id"`
	Station   string       `json:"station"`
	Site      string       `json:"site"`
	Plan      string       `json:"plan"`
	Date      string       `json:"date"`
	Category  string       `json:"category"`
	Blueprint StandardRef  `json:"blueprint"`
	Candidate CandidateRef `json:"candidate"`
	Identity  *Identity    `json:"identity,omitempty"` // how the candidate was identified (card or manual); absent from older results
	// Substitutions are the centre-approved substitutions that brought
	// in an examiner of this result (from the signed plan).
	Substitutions []Substitution  `json:"substitutions,omitempty"`
	Examiners     []ExaminerRef   `json:"examiners"`
	Seed          string          `json:"seed"`
	Items         []ItemResult    `json:"items"`
	Paper         *scoring.Result `json:"paper"`
	SignedMs      int64           `json:"signed_ms"`
	// Purpose is PurposeTraining on a result a station ran in training
	// mode (a training institution's site, 考培分离): signed with the
	// rest, so the centre refuses it as an exam result. Empty on an exam
	// result, so that exam results keep their bytes.
	Purpose string `json:"purpose,omitempty"`
}

// PurposeTraining marks a training result (ResultDoc.Purpose).
const PurposeTraining = "training"

// Training reports whether the result was signed as a training result.
func (d *ResultDoc) Training() bool { return d.Purpose == PurposeTraining }

// StandardRef names a standard exactly.
type StandardRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
}

// CandidateRef is the candidate on the result.
type CandidateRef struct {
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
	Attempt  int    `json:"attempt"` // 1 正考, 2 补考
}

// ExaminerRef is an examiner on the result, with the certificate that
// entitled them.
type ExaminerRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Certificate string `json:"certificate"`
	ValidTo     string `json:"valid_to"`
}

// DeviceRef is a device's provenance.
type DeviceRef struct {
	Kind     string `json:"kind"`
	Model    string `json:"model"`
	Serial   string `json:"serial"`
	Firmware string `json:"firmware"`
}

// ItemResult is one drawn item on the result.
type ItemResult struct {
	Subject  string         `json:"subject"`
	Standard StandardRef    `json:"standard"`
	Events   int            `json:"events"`
	Head     string         `json:"head"`
	Devices  []DeviceRef    `json:"devices"`
	Sheet    *scoring.Sheet `json:"sheet"`
	// Vocabulary names the vocabulary document the item's standard was
	// type-checked and scored against; nil for the built-in base, so
	// that results scored with the base keep their bytes.
	Vocabulary *VocabularyRef `json:"vocabulary,omitempty"`
}

// VocabularyRef names a vocabulary document exactly: its version and the
// SHA-256 of its text.
type VocabularyRef struct {
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
}

// Identity is how the candidate was identified at the identity check
// (人证核验): by their ID card (Method "card") or by a 身份证号 typed in with
// a reason the examiners confirm (Method "manual"). It is signed on the
// result (ResultDoc.Identity) and written at the start of every item's
// log as an identity.card or identity.manual event (the same fields), so
// the centre sees it in both. The card's address is left out: the check
// needs no more than the fields that identify. The photo is hashed; the
// photo itself stays on the station (Exam.CardPhoto).
type Identity struct {
	Method      string   `json:"method"`
	IDNumber    string   `json:"id_number"`
	Name        string   `json:"name"`
	Gender      string   `json:"gender"`
	Nation      string   `json:"nation"`
	Birth       string   `json:"birth"`
	Authority   string   `json:"authority"`
	ValidFrom   string   `json:"valid_from"`
	ValidTo     string   `json:"valid_to"`
	PhotoSHA256 string   `json:"photo_sha256"`
	Reason      string   `json:"reason"`
	ConfirmedBy []string `json:"confirmed_by"`
}

// Identity methods.
const (
	IdentityCard   = "card"
	IdentityManual = "manual"
)

// EventType is the identity's event type in an item log.
func (id *Identity) EventType() string { return "identity." + id.Method }
