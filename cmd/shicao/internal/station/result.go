package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Saved is a result as saved.
type Saved struct {
	ID     string
	Total  standards.Points
	Passed bool
	Doc    *examsync.ResultDoc
	Bundle []byte
}

// Finish completes the exam: every drawn item done (ended, confirmed,
// acknowledged), the paper scored, the result signed and saved with its
// outbox row in one transaction.
func (e *Exam) Finish(ctx context.Context) (*Saved, error) {
	if e.result != nil {
		return e.result, nil
	}
	if e.s.signer == nil {
		return nil, errors.New("station has no signing key: run shicao station init")
	}
	if len(e.drawn) == 0 {
		return nil, refuse("not-drawn", "尚未抽题", "nothing has been drawn")
	}
	doc := &examsync.ResultDoc{Format: examsync.ResultFormat, ID: e.attemptID, Station: e.s.cfg.Name, Site: e.s.cfg.Site, Plan: e.plan.ID, Date: e.plan.Date,
		Category: e.plan.Category, Blueprint: examsync.StandardRef{ID: e.bp.ID, Version: e.bp.Version, SHA256: e.bp.SHA256()},
		Candidate: examsync.CandidateRef{IDNumber: e.candidate.IDNumber, Name: e.candidate.Name, Attempt: max(e.candidate.Attempt, 1)}, Seed: e.seed, SignedMs: e.s.now().UnixMilli(), Identity: e.identity, Substitutions: e.substitutions()}
	if e.training {
		doc.Purpose = examsync.PurposeTraining
	}
	for _, x := range e.examiners {
		doc.Examiners = append(doc.Examiners, examsync.ExaminerRef{ID: x.Examiner.ID, Name: x.Examiner.Name, Category: x.Certificate.Category, Certificate: x.Certificate.Number, ValidTo: x.Certificate.ValidTo})
	}
	bundle := examsync.Bundle{Events: map[string][]json.RawMessage{}, Standards: map[string]string{}}
	var sheets []*scoring.Sheet
	for _, d := range e.drawn {
		ir, sheet, err := e.itemResult(ctx, d.Subject, &bundle)
		if err != nil {
			return nil, err
		}
		doc.Items = append(doc.Items, ir)
		sheets = append(sheets, sheet)
	}
	paper, err := scoring.Paper(e.bp, sheets)
	if err != nil {
		return nil, err
	}
	doc.Paper = paper
	signedBP, err := e.s.st.StandardVersion(ctx, e.bp.ID, e.bp.Version)
	if err != nil {
		return nil, err
	}
	bundle.Blueprint = string(signedBP)
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, e.s.signer)
	if err != nil {
		return nil, fmt.Errorf("sign result: %w", err)
	}
	bundle.Result = string(signed)
	body, err := json.Marshal(bundle)
	if err != nil {
		return nil, err
	}
	err = e.s.st.SaveResult(ctx, store.Result{ID: doc.ID, AttemptID: e.attemptID, Candidate: e.candidate.IDNumber, PlanID: e.plan.ID,
		Total: paper.Total.String(), Passed: paper.Passed, Signed: signed}, body)
	if err != nil {
		return nil, err
	}
	e.result = &Saved{ID: doc.ID, Total: paper.Total, Passed: paper.Passed, Doc: doc, Bundle: body}
	return e.result, nil
}

// itemResult is a finished subject's part of the result: its sheet, the
// head of its event chain and its devices, with its canonical events and
// the signed standard added to the bundle.
func (e *Exam) itemResult(ctx context.Context, subject string, bundle *examsync.Bundle) (examsync.ItemResult, *scoring.Sheet, error) {
	it := e.items[subject]
	if it == nil || !it.Done() {
		return examsync.ItemResult{}, nil, refuse("item-open", "科目 %s 尚未完成（结束、考评员确认、考生签字）", "subject %s is not complete (ended, confirmed by the examiners, acknowledged by the candidate)", subject)
	}
	sheet, err := it.Sheet()
	if err != nil {
		return examsync.ItemResult{}, nil, err
	}
	evs, err := e.s.st.Events(ctx, it.Session)
	if err != nil {
		return examsync.ItemResult{}, nil, err
	}
	head, err := e.s.st.VerifyChain(ctx, it.Session)
	if err != nil {
		return examsync.ItemResult{}, nil, fmt.Errorf("subject %s: %w", subject, err)
	}
	ir := examsync.ItemResult{Subject: subject, Standard: examsync.StandardRef{ID: it.Std.ID, Version: it.Std.Version, SHA256: it.Std.SHA256()}, Events: len(evs), Head: head.String(), Sheet: sheet}
	for _, dev := range it.Devices {
		ir.Devices = append(ir.Devices, examsync.DeviceRef{Kind: dev.Kind, Model: dev.Model, Serial: dev.Serial, Firmware: dev.Firmware})
	}
	lines := make([]json.RawMessage, len(evs))
	for i, ev := range evs {
		lines[i] = ev.Event.CanonicalTrusted()
	}
	bundle.Events[subject] = lines
	signedStd, err := e.s.st.StandardVersion(ctx, it.Std.ID, it.Std.Version)
	if err != nil {
		return examsync.ItemResult{}, nil, err
	}
	bundle.Standards[fmt.Sprintf("%s@%d", it.Std.ID, it.Std.Version)] = string(signedStd)
	// The vocabulary document the standard was checked and scored
	// against travels with it, so the centre re-scores with that one.
	if voc := it.Std.Vocabulary(); voc.Doc != nil {
		ir.Vocabulary = &examsync.VocabularyRef{Version: voc.Doc.Version, SHA256: voc.Doc.SHA256}
		if bundle.Vocabularies == nil {
			bundle.Vocabularies = map[string]string{}
		}
		bundle.Vocabularies[strconv.Itoa(voc.Doc.Version)] = string(voc.Doc.Source)
	}
	return ir, sheet, nil
}
