package sync

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"

	"golang.org/x/mod/sumdb/note"

	"shicao/scoring"
	"shicao/standards"
)

// Verified is what VerifyBundle found.
type Verified struct {
	Doc     *ResultDoc
	Signers []string
	// Spans are the dates of each standard that scored an item, by
	// subject, and of the blueprint: whether each was in force on the
	// exam date is for the reader to judge against every version it knows.
	Spans     map[string]standards.Span
	Blueprint standards.Span
	// Starts holds, by subject, the attempt and candidate each item's
	// log names in its session.start (empty in logs written before the
	// station named them). CheckBound compares them with the result.
	Starts map[string]LogStart
	// Standards are the standards that re-scored Doc's items, by index
	// in Doc.Items: parsed once, and shared with the BundleVerifier's
	// cache, so read only.
	Standards []*standards.Standard
}

// LogStart is what an item log's session.start says it was recorded for.
type LogStart struct {
	AttemptID string `json:"attempt_id"`
	Candidate string `json:"candidate"`
}

// ErrForeignLog reports an item log whose session.start does not name
// the result's attempt and candidate: a log moved in from another
// candidate's result (or written by a station that does not bind its
// logs), which re-scores and chains perfectly but is not this exam's.
var ErrForeignLog = errors.New("the item's log was not recorded for this result's attempt and candidate")

// CheckBound reports, wrapping ErrForeignLog, the first item whose log's
// session.start does not name the result's id as its attempt and the
// result's candidate. VerifyBundle does not call it, so that a log of
// results received before logs were bound still verifies and re-scores;
// a centre receiving a result and shicao verify do.
func (v *Verified) CheckBound() error {
	for _, it := range v.Doc.Items {
		got := v.Starts[it.Subject]
		if got.AttemptID != v.Doc.ID || got.Candidate != v.Doc.Candidate.IDNumber {
			name := func(s string) string {
				if s == "" {
					return "none"
				}
				return s
			}
			return fmt.Errorf("subject %s: %w: its session.start names attempt %s of candidate %s; the result is attempt %s of candidate %s",
				it.Subject, ErrForeignLog, name(got.AttemptID), name(got.Candidate), v.Doc.ID, v.Doc.Candidate.IDNumber)
		}
	}
	return nil
}

// VerifyBundle checks a result bundle end to end: the station's signature
// (against stationKeys), the standards' signatures (against trust, if
// given), each item's standard hash, event count and chain head, a
// re-score of every item from its events that must equal the signed
// sheet byte for byte, and the paper total. It finds an edited event, a
// deleted event, an edited score and a result signed by another key.
func VerifyBundle(data []byte, stationKeys []string, trust *standards.Trust) (*Verified, error) {
	return new(BundleVerifier).Verify(data, stationKeys, trust)
}

// BundleVerifier is VerifyBundle with a cache of parsed standards and
// blueprints, keyed by the SHA-256 of their text. Parsing a standard
// compiles its expressions, which costs more than re-scoring an item, and
// a centre sees the same few standards in every bundle. The cache holds
// only texts that parsed, and only after the result's signature verified;
// it is bounded. A BundleVerifier is safe for concurrent use; its zero
// value is ready.
type BundleVerifier struct {
	mu     gosync.Mutex
	parsed map[[32]byte]any // sha256(text) -> *standards.Standard | *standards.Blueprint
}

// maxParsed bounds the cache: far more than the standards in force.
const maxParsed = 512

func (bv *BundleVerifier) cached(key [32]byte, parse func() (any, error)) (any, error) {
	bv.mu.Lock()
	v, ok := bv.parsed[key]
	bv.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := parse()
	if err != nil {
		return nil, err
	}
	bv.mu.Lock()
	if bv.parsed == nil || len(bv.parsed) >= maxParsed {
		bv.parsed = map[[32]byte]any{}
	}
	bv.parsed[key] = v
	bv.mu.Unlock()
	return v, nil
}

// standard parses a standard's text type-checked against voc. The cache
// key covers the vocabulary too: one text checked against two
// vocabularies is two standards.
func (bv *BundleVerifier) standard(name string, text []byte, voc *standards.Vocabulary) (*standards.Standard, error) {
	key := sha256.Sum256(text)
	if voc.Doc != nil {
		key = sha256.Sum256(append([]byte(voc.Doc.SHA256+"\n"), text...))
	}
	v, err := bv.cached(key, func() (any, error) { return standards.ParseWith(voc, name, text) })
	if err != nil {
		return nil, err
	}
	std, ok := v.(*standards.Standard)
	if !ok {
		return nil, fmt.Errorf("%s is a blueprint, not an item standard", name)
	}
	return std, nil
}

func (bv *BundleVerifier) blueprint(name string, text []byte) (*standards.Blueprint, error) {
	v, err := bv.cached(sha256.Sum256(text), func() (any, error) { return standards.ParseBlueprint(name, text) })
	if err != nil {
		return nil, err
	}
	bp, ok := v.(*standards.Blueprint)
	if !ok {
		return nil, fmt.Errorf("%s is an item standard, not a blueprint", name)
	}
	return bp, nil
}

// Verify is VerifyBundle, parsing each distinct standard text once.
func (bv *BundleVerifier) Verify(data []byte, stationKeys []string, trust *standards.Trust) (*Verified, error) {
	b, err := DecodeBundle(data)
	if err != nil {
		return nil, err
	}
	n, doc, signedSheets, err := openResult(b.Result, stationKeys)
	if err != nil {
		return nil, err
	}
	sheets := make([]*scoring.Sheet, 0, len(doc.Items))
	stds := make([]*standards.Standard, 0, len(doc.Items))
	spans := make(map[string]standards.Span, len(doc.Items))
	starts := make(map[string]LogStart, len(doc.Items))
	for idx := range doc.Items {
		it := &doc.Items[idx]
		std, err := bv.itemStandard(b.Standards, b.Vocabularies, it, trust)
		if err != nil {
			return nil, err
		}
		sheet, err := rescore(std, it, b.Events[it.Subject], starts)
		if err != nil {
			return nil, err
		}
		got, _ := json.Marshal(sheet)
		if !bytes.Equal(got, signedSheets[idx].Sheet) {
			return nil, fmt.Errorf("subject %s: re-scoring the events gives %s, the result says %s: the score was edited", it.Subject, sheet.Score, it.Sheet.Score)
		}
		sheets = append(sheets, sheet)
		stds = append(stds, std)
		spans[it.Subject] = std.Span()
	}
	bp, err := bv.rescorePaper(b.Blueprint, doc, sheets, trust)
	if err != nil {
		return nil, err
	}
	v := &Verified{Doc: doc, Starts: starts, Spans: spans, Blueprint: bp.Span(), Standards: stds}
	for _, s := range n.Sigs {
		v.Signers = append(v.Signers, s.Name)
	}
	return v, nil
}

// openResult checks the station's signature on the bundle's result and
// decodes the signed document, with its sheets as signed: a re-score must
// reproduce them byte for byte, so they are compared as bytes, not
// re-encoded.
func openResult(result string, stationKeys []string) (*note.Note, *ResultDoc, []signedSheet, error) {
	if len(stationKeys) == 0 {
		return nil, nil, nil, errors.New("no station verifier key given")
	}
	vs, err := StationVerifiers(stationKeys)
	if err != nil {
		return nil, nil, nil, err
	}
	n, err := note.Open([]byte(result), vs)
	if err != nil {
		var unv *note.UnverifiedNoteError
		if errors.As(err, &unv) {
			return nil, nil, nil, errors.New("the result is not signed by the station key given: signed by another key")
		}
		return nil, nil, nil, fmt.Errorf("the result's signature does not verify: %v", err)
	}
	var doc ResultDoc
	dec := json.NewDecoder(strings.NewReader(n.Text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || doc.Format != ResultFormat {
		return nil, nil, nil, fmt.Errorf("the signed text is not a %s document", ResultFormat)
	}
	var rawDoc struct {
		Items []signedSheet `json:"items"`
	}
	if err := json.Unmarshal([]byte(n.Text), &rawDoc); err != nil || len(rawDoc.Items) != len(doc.Items) {
		return nil, nil, nil, fmt.Errorf("the signed text is not a %s document", ResultFormat)
	}
	return n, &doc, rawDoc.Items, nil
}

// signedSheet is an item's sheet as the station signed it.
type signedSheet struct {
	Sheet json.RawMessage `json:"sheet"`
}

// openSigned returns the text of a signed standard or blueprint: checked
// against trust, or only split from its signatures without one.
func openSigned(trust *standards.Trust, name, signed string) ([]byte, error) {
	if trust == nil {
		return standards.SplitNote([]byte(signed)), nil
	}
	o, err := trust.Open([]byte(signed))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return o.Text, nil
}

// itemStandard returns the standard an item was scored by, from the
// bundle, checked against the hash the result names.
func (bv *BundleVerifier) itemStandard(bundled, vocabs map[string]string, it *ItemResult, trust *standards.Trust) (*standards.Standard, error) {
	key := fmt.Sprintf("%s@%d", it.Standard.ID, it.Standard.Version)
	signedStd, ok := bundled[key]
	if !ok {
		return nil, fmt.Errorf("subject %s: the bundle lacks standard %s", it.Subject, key)
	}
	text, err := openSigned(trust, key, signedStd)
	if err != nil {
		return nil, err
	}
	voc, err := bv.itemVocabulary(vocabs, it, trust)
	if err != nil {
		return nil, err
	}
	std, err := bv.standard(key, text, voc)
	if err != nil {
		return nil, err
	}
	if std.SHA256() != it.Standard.SHA256 {
		return nil, fmt.Errorf("subject %s: standard %s is not the text the result names (sha256 differs)", it.Subject, key)
	}
	return std, nil
}

// ItemStandard returns the standard an item of the bundle was scored by,
// type-checked against the vocabulary the result names for it (see
// BundleVerifier.Verify for the checks; trust may be nil).
func ItemStandard(b *Bundle, it *ItemResult, trust *standards.Trust) (*standards.Standard, error) {
	return new(BundleVerifier).itemStandard(b.Standards, b.Vocabularies, it, trust)
}

// itemVocabulary returns the vocabulary an item's standard was checked
// against: the built-in base, or the bundle's vocabulary document the
// result names, checked against the version and hash named (and against
// trust, if given). A standard whose events came with a vocabulary
// document is re-scored with that very document, so the centre and
// shicao verify score it as the station did.
func (bv *BundleVerifier) itemVocabulary(bundled map[string]string, it *ItemResult, trust *standards.Trust) (*standards.Vocabulary, error) {
	ref := it.Vocabulary
	if ref == nil {
		return standards.DefaultVocabulary(), nil
	}
	name := fmt.Sprintf("vocabulary version %d", ref.Version)
	signed, ok := bundled[strconv.Itoa(ref.Version)]
	if !ok {
		return nil, fmt.Errorf("subject %s: the bundle lacks %s", it.Subject, name)
	}
	text, err := openSigned(trust, name, signed)
	if err != nil {
		return nil, err
	}
	v, err := bv.cached(sha256.Sum256(text), func() (any, error) {
		doc, err := standards.ReadVocabulary(text, []byte(signed))
		if err != nil {
			return nil, err
		}
		return standards.DefaultVocabulary().Extend(doc)
	})
	if err != nil {
		return nil, fmt.Errorf("subject %s: %w", it.Subject, err)
	}
	voc, ok := v.(*standards.Vocabulary)
	if !ok {
		return nil, fmt.Errorf("subject %s: %s is not a vocabulary document", it.Subject, name)
	}
	if voc.Doc.Version != ref.Version || voc.Doc.SHA256 != ref.SHA256 {
		return nil, fmt.Errorf("subject %s: %s is not the text the result names (sha256 differs)", it.Subject, name)
	}
	return voc, nil
}

// rescore scores an item's event lines in one pass (decode in place,
// chain, score), checking them against the count and chain head the
// result signed, and records the log's session.start in starts.
func rescore(std *standards.Standard, it *ItemResult, lines []json.RawMessage, starts map[string]LogStart) (*scoring.Sheet, error) {
	if len(lines) != it.Events {
		return nil, fmt.Errorf("subject %s: %d events where the result signed %d: events were added or removed", it.Subject, len(lines), it.Events)
	}
	sess := scoring.NewSession(std)
	var chain standards.Chain
	var scoreErr error
	for i, l := range lines {
		v, lerr := standards.ScanEvent(l)
		if lerr != nil {
			return nil, fmt.Errorf("subject %s: event line %d: %v", it.Subject, i+1, lerr)
		}
		if v.Seq != int64(i+1) {
			return nil, fmt.Errorf("subject %s: event %d: seq %d where %d was due: an event is missing or out of order", it.Subject, i+1, v.Seq, i+1)
		}
		if err := chain.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
			return nil, fmt.Errorf("subject %s: %w", it.Subject, err)
		}
		if i == 0 && string(v.Type) == standards.TypeSessionStart {
			var ls LogStart
			_ = json.Unmarshal(v.Data, &ls) // the scorer judges the data's form
			starts[it.Subject] = ls
		}
		// A log the scorer refuses is reported after the chain: an
		// edited event is named as such, not as a scoring fault.
		if scoreErr == nil {
			scoreErr = sess.AddView(v)
		}
	}
	if chain.Head().String() != it.Head {
		return nil, fmt.Errorf("subject %s: the events' chain head differs from the signed one: an event was edited", it.Subject)
	}
	if scoreErr != nil {
		return nil, fmt.Errorf("subject %s: re-score: %w", it.Subject, scoreErr)
	}
	sheet, err := sess.Sheet()
	if err != nil {
		return nil, fmt.Errorf("subject %s: re-score: %w", it.Subject, err)
	}
	return sheet, nil
}

// rescorePaper checks the bundle's blueprint against the hash the result
// names and that it scores the sheets to the signed paper.
func (bv *BundleVerifier) rescorePaper(blueprint string, doc *ResultDoc, sheets []*scoring.Sheet, trust *standards.Trust) (*standards.Blueprint, error) {
	bpText, err := openSigned(trust, "blueprint", blueprint)
	if err != nil {
		return nil, err
	}
	bp, err := bv.blueprint("blueprint", bpText)
	if err != nil {
		return nil, err
	}
	if bp.SHA256() != doc.Blueprint.SHA256 {
		return nil, errors.New("the blueprint is not the text the result names")
	}
	paper, err := scoring.Paper(bp, sheets)
	if err != nil {
		return nil, err
	}
	got, _ := json.Marshal(paper)
	want, _ := json.Marshal(doc.Paper)
	if !bytes.Equal(got, want) {
		return nil, fmt.Errorf("the paper re-scores to %s, the result says %s", paper.Total, doc.Paper.Total)
	}
	return bp, nil
}

// StationVerifiers parses station verifier keys (note verifier key text)
// into the verifier set a signed result is opened with (the bundle's, and
// an exported event log's header). It returns an error naming the first
// key that does not parse.
func StationVerifiers(keys []string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, k := range keys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("station key: %w", err)
		}
		vs = append(vs, v)
	}
	return note.VerifierList(vs...), nil
}
