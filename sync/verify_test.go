package sync_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
	examsync "shicao/sync"
)

// paper is a result of the library's 低压电工 paper built as a station
// builds one: each subject's first item scored from its first self-test
// vector, the standards signed by a province key, the result by a
// station key. The protocol's verifier is tested on it without a station.
type paper struct {
	doc        examsync.ResultDoc
	bundle     examsync.Bundle
	station    note.Signer
	stationPub string
	trust      *standards.Trust
}

func newPaper(t *testing.T) *paper {
	t.Helper()
	provSigner, provVerifier, err := standards.GenerateKey("test-province")
	if err != nil {
		t.Fatal(err)
	}
	trust, err := standards.NewTrust(1, provVerifier)
	if err != nil {
		t.Fatal(err)
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, "TEST-STN")
	if err != nil {
		t.Fatal(err)
	}
	station, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	stds := map[string]*standards.Standard{}
	signed := map[string][]byte{}
	var bp *standards.Blueprint
	for _, name := range library.Names() {
		text, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := standards.Sign(text, provSigner)
		if err != nil {
			t.Fatal(err)
		}
		if name == "sd-dg-paper.yaml" {
			if bp, err = standards.ParseBlueprint(name, text); err != nil {
				t.Fatal(err)
			}
			signed[bp.ID] = s
			continue
		}
		if std, err := standards.Parse(name, text); err == nil {
			stds[std.ID] = std
			signed[std.ID] = s
		}
	}
	if bp == nil {
		t.Fatal("the library has no sd-dg-paper.yaml")
	}
	p := &paper{station: station, stationPub: vkey, trust: trust,
		bundle: examsync.Bundle{Events: map[string][]json.RawMessage{}, Standards: map[string]string{}, Blueprint: string(signed[bp.ID])},
		doc: examsync.ResultDoc{Format: examsync.ResultFormat, ID: "R-TEST-1", Station: "TEST-STN", Site: "TA-KD-01", Plan: "P1", Date: "2026-12-07",
			Category: bp.Category, Blueprint: examsync.StandardRef{ID: bp.ID, Version: bp.Version, SHA256: bp.SHA256()},
			Candidate: examsync.CandidateRef{IDNumber: "370902199903081216", Name: "考生", Attempt: 1}, Seed: "00", SignedMs: 1}}
	var sheets []*scoring.Sheet
	for _, sub := range bp.Subjects {
		std := stds[sub.Pool[0]]
		if std == nil || len(std.Tests) == 0 {
			t.Fatalf("subject %s: no standard %s with a vector in the library", sub.ID, sub.Pool[0])
		}
		events := std.Expand(&std.Tests[0])
		sheet, err := scoring.Score(std, events)
		if err != nil {
			t.Fatal(err)
		}
		head, err := standards.ChainHead(events)
		if err != nil {
			t.Fatal(err)
		}
		lines := make([]json.RawMessage, len(events))
		for i, ev := range events {
			lines[i] = ev.CanonicalTrusted()
		}
		p.bundle.Events[sub.ID] = lines
		p.bundle.Standards[fmt.Sprintf("%s@%d", std.ID, std.Version)] = string(signed[std.ID])
		p.doc.Items = append(p.doc.Items, examsync.ItemResult{Subject: sub.ID, Standard: examsync.StandardRef{ID: std.ID, Version: std.Version, SHA256: std.SHA256()},
			Events: len(events), Head: head.String(), Sheet: sheet})
		sheets = append(sheets, sheet)
	}
	if p.doc.Paper, err = scoring.Paper(bp, sheets); err != nil {
		t.Fatal(err)
	}
	return p
}

// body signs the result document with signer and returns the bundle's bytes.
func (p *paper) body(t *testing.T, signer note.Signer) []byte {
	t.Helper()
	text, err := json.Marshal(p.doc)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	b := p.bundle
	b.Result = string(n)
	body, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestVerifyBundle: a result verifies and re-scores with the station's
// key and the province's trust alone; each kind of tampering is named.
func TestVerifyBundle(t *testing.T) {
	p := newPaper(t)
	t.Run("OK", func(t *testing.T) {
		v, err := examsync.VerifyBundle(p.body(t, p.station), []string{p.stationPub}, p.trust)
		if err != nil {
			t.Fatal(err)
		}
		if v.Doc.ID != "R-TEST-1" || len(v.Signers) != 1 || v.Signers[0] != "TEST-STN" || len(v.Spans) != 4 {
			t.Fatalf("verified %s signed by %v with %d spans", v.Doc.ID, v.Signers, len(v.Spans))
		}
		if err := v.CheckBound(); !errors.Is(err, examsync.ErrForeignLog) {
			t.Fatalf("CheckBound of vector logs that name no attempt: %v, want ErrForeignLog", err)
		}
	})
	other := func() note.Signer {
		skey, _, err := note.GenerateKey(rand.Reader, "OTHER-STN")
		if err != nil {
			t.Fatal(err)
		}
		s, err := note.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	_, elsewhere, err := standards.GenerateKey("other-province")
	if err != nil {
		t.Fatal(err)
	}
	otherTrust, err := standards.NewTrust(1, elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	k := p.doc.Items[1].Subject
	tests := []struct {
		name  string
		body  func(t *testing.T) []byte
		trust *standards.Trust
		want  string
	}{
		{"OtherKey", func(t *testing.T) []byte { return p.body(t, other()) }, p.trust, "not signed by the station key given"},
		{"EditedEvent", func(t *testing.T) []byte {
			q := *p
			q.bundle.Events = maps.Clone(p.bundle.Events)
			lines := append([]json.RawMessage(nil), q.bundle.Events[k]...)
			lines[1] = bytes.Replace(lines[1], []byte(`"t_ms":`), []byte(`"t_ms":1`), 1)
			q.bundle.Events[k] = lines
			return q.body(t, p.station)
		}, p.trust, "subject " + k + ": the events' chain head differs from the signed one: an event was edited"},
		{"DeletedEvent", func(t *testing.T) []byte {
			q := *p
			q.bundle.Events = maps.Clone(p.bundle.Events)
			q.bundle.Events[k] = q.bundle.Events[k][:len(q.bundle.Events[k])-1]
			return q.body(t, p.station)
		}, p.trust, "events where the result signed"},
		{"EditedScore", func(t *testing.T) []byte {
			q := *p
			q.doc.Items = append([]examsync.ItemResult(nil), p.doc.Items...)
			sheet := *q.doc.Items[1].Sheet
			sheet.Score += 10
			q.doc.Items[1].Sheet = &sheet
			return q.body(t, p.station)
		}, p.trust, "the score was edited"},
		{"UntrustedStandard", func(t *testing.T) []byte { return p.body(t, p.station) }, otherTrust, "@1: signed only by keys this station does not trust"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := examsync.VerifyBundle(tt.body(t), []string{p.stationPub}, tt.trust)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyBundle: %v, want %q", err, tt.want)
			}
		})
	}
}
