package sync

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// The kinds of signed document the centre issues.
const (
	KindPlan      = "shicao-plan/1"
	KindRegistry  = "shicao-registry/1"
	KindPlans     = "shicao-plans/1"     // the list of a station's plans
	KindStandards = "shicao-standards/1" // the standards published since a point
)

// Plans is the list of the plans the centre issued to one station, each
// itself a signed Plan. Signing the list too lets the station trust that
// the list is complete and fresh, not only that each plan is genuine.
type Plans struct {
	Kind    string   `json:"kind"`
	Station string   `json:"station"`
	Plans   []string `json:"plans"` // signed Plan notes
}

// Standards is the list of standards and blueprints the centre relayed
// after publication number Since, in publication order. Each is the
// province's signed text, which the station verifies against its own
// pinned province keys: the centre relays, it cannot author.
type Standards struct {
	Kind      string      `json:"kind"`
	Since     int64       `json:"since"`
	Next      int64       `json:"next"` // ask for Since = Next next time
	Standards []Published `json:"standards"`
	// Vocabulary is the newest vocabulary document the centre published
	// (the province's signed note), whatever Since: a document is
	// cumulative, so the newest is all a station needs, and it must be
	// installed before the standards that use its event types. Empty
	// while the centre has published none.
	Vocabulary string `json:"vocabulary,omitempty"`
}

// Published is one relayed standard or blueprint.
type Published struct {
	Seq     int64  `json:"seq"`
	ID      string `json:"id"`
	Version int    `json:"version"`
	SHA256  string `json:"sha256"`
	Signed  string `json:"signed"` // the province's signed note
}

// Plan is an exam plan (考试计划) as the centre issues it: one day, one
// site, one category, its candidates and its examiners.
type Plan struct {
	Kind       string      `json:"kind"`
	ID         string      `json:"id"`
	Date       string      `json:"date"`
	Site       string      `json:"site"`
	Category   string      `json:"category"`
	Blueprint  string      `json:"blueprint"`
	Station    string      `json:"station"` // the station the plan is sent to; candidates' data goes to no other
	Candidates []Candidate `json:"candidates"`
	Examiners  []string    `json:"examiners"`
	// Declarations are the plan's examiners' declared ties (回避), so
	// that the station enforces recusal with the plan alone.
	Declarations []Declaration `json:"declarations,omitempty"`
	// Substitutions are the examiners the centre approved on the day in
	// place of drawn ones; the plan's signature is the approval.
	Substitutions []Substitution `json:"substitutions,omitempty"`
	// Draw is the SHA-256 of the seed whose draw assigned the plan's
	// examiners (centre assign), when they were drawn.
	Draw string `json:"draw,omitempty"`
}

// Candidate is a candidate on a plan.
type Candidate struct {
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
	Attempt  int    `json:"attempt"` // 1 正考, 2 补考
	// Institution is the training institution (培训机构) that trained
	// the candidate: no examiner declared to belong to it examines them.
	Institution string `json:"institution,omitempty"`
}

// Registry is the centre's examiner and equipment registry for a site.
type Registry struct {
	Kind    string `json:"kind"`
	Site    string `json:"site"`
	Version int64  `json:"version"` // increases with every change; stations refuse an older one
	// Training says the site is a training institution's (考培分离): a
	// station there runs in training mode only. Absent for an accepted
	// exam site, so its registry keeps its bytes.
	Training  bool        `json:"training,omitempty"`
	Examiners []Examiner  `json:"examiners"`
	Equipment []Equipment `json:"equipment"`
}

// Examiner is a 考评员 with the hash of their PIN and their certificates.
type Examiner struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	PinHash      string        `json:"pin_hash"`
	Certificates []Certificate `json:"certificates"`
}

// Certificate is an operation certificate (特种作业操作证).
type Certificate struct {
	Category  string `json:"category"`
	Number    string `json:"number"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

// Equipment is a device registered to an accepted exam site.
type Equipment struct {
	Serial string `json:"serial"`
	Kind   string `json:"kind"`
	Model  string `json:"model"`
	Site   string `json:"site"`
}

// Sign returns doc (a Plan, Registry, Plans or Standards) as a signed
// note by the centre.
func Sign(doc any, signerKey string) ([]byte, error) {
	signer, err := note.NewSigner(strings.TrimSpace(signerKey))
	if err != nil {
		return nil, fmt.Errorf("centre key: %w", err)
	}
	return SignWith(doc, signer)
}

// SignWith is Sign with a parsed signer.
func SignWith(doc any, signer note.Signer) ([]byte, error) {
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
}

// ErrNotCentre is a document not signed by the centre this station trusts.
var ErrNotCentre = errors.New("not signed by this station's exam centre")

// Open verifies a signed document against the centre's verifier key and
// decodes it into v, checking its kind.
func Open(signed []byte, centreKey, kind string, v any) error {
	verifier, err := note.NewVerifier(strings.TrimSpace(centreKey))
	if err != nil {
		return fmt.Errorf("centre verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(verifier))
	var unv *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unv):
		var by []string
		for _, s := range unv.Note.UnverifiedSigs {
			by = append(by, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
		}
		return fmt.Errorf("%w: signed by %s, not by the pinned centre key %s+%08x (pin the right one: shicao station centre set CENTRE.pub)", ErrNotCentre, strings.Join(by, ", "), verifier.Name(), verifier.KeyHash())
	case err != nil && !bytes.Contains(signed, []byte("\n\n— ")):
		return fmt.Errorf("%w: this is not a document the centre signed (a roster .csv or .xlsx is imported at the centre: shicao centre plan import)", ErrNotCentre)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrNotCentre, err)
	}
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(n.Text), &head); err != nil || head.Kind != kind {
		return fmt.Errorf("not a %s document (kind %q)", kind, head.Kind)
	}
	dec := json.NewDecoder(strings.NewReader(n.Text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s document: %w", kind, err)
	}
	return nil
}

// SignText signs text (ending in a newline) as a note by signer.
func SignText(text []byte, signer note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: string(text)}, signer)
}
