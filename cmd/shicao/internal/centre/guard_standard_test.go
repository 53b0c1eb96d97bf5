package centre_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
	examsync "shicao/sync"
)

// codeNotInForce is the refusal code stations and docs/api.md name.
const codeNotInForce = "standard-not-in-force"

// TestIngest_StandardInForce: each item and the blueprint must be scored
// by the version of its standard in force on the exam date (the notice:
// score by the standard in force). Each case is a result signed with the
// station's registered key (the attacker's position: a stale, buggy or
// stolen station), judged against the versions the province published.
// Issue 13, finding 3.
func TestIngest_StandardInForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	today := standards.DateOf(time.Now())
	nextYear := fmt.Sprintf("%d-01-01", today.Y+1)
	const (
		k42   = "sd-dg-k42-cpr.yaml"
		paper = "sd-dg-paper.yaml"
	)
	type version struct {
		file               string
		version            int
		effective, expires string
	}
	tests := []struct {
		name    string
		publish []version // published at the centre after the library's version 1
		// body makes the upload from the genuine result and the signed
		// versions published (by file and version).
		body   func(t *testing.T, genuine []byte, stationKey string, signed map[version][]byte) []byte
		reason string // "" for accepted
	}{
		{
			name:    "OK/NewerScheduled",
			publish: []version{{k42, 2, nextYear, ""}},
			body:    func(_ *testing.T, genuine []byte, _ string, _ map[version][]byte) []byte { return genuine },
		},
		{
			// A station scored by version 2, published ahead of its date.
			name:    "ItemNotYetEffective",
			publish: []version{{k42, 2, nextYear, ""}},
			body: func(t *testing.T, genuine []byte, key string, signed map[version][]byte) []byte {
				return rescored(t, genuine, key, signed[version{k42, 2, nextYear, ""}])
			},
			reason: "subject K4: SD-DG-K42 version 2 is not in force on " + today.String() + ": it takes effect on " + nextYear,
		},
		{
			// Version 2 took effect last year; the station scored by
			// version 1 (it never installed version 2, or ignored it).
			name:    "ItemSuperseded",
			publish: []version{{k42, 2, "2025-01-01", ""}},
			body: func(t *testing.T, genuine []byte, key string, _ map[version][]byte) []byte {
				return centretest.Resign(t, genuine, key, func(d *examsync.ResultDoc) { d.SignedMs++ })
			},
			reason: "subject K4: SD-DG-K42 version 1 is not in force on " + today.String() + ": version 2 took effect on 2025-01-01",
		},
		{
			// Version 2, the newest, expired at the end of 2025: nothing
			// is in force, and the station scored by it anyway.
			name:    "ItemExpired",
			publish: []version{{k42, 2, "2024-06-01", "2025-12-31"}},
			body: func(t *testing.T, genuine []byte, key string, signed map[version][]byte) []byte {
				return rescored(t, genuine, key, signed[version{k42, 2, "2024-06-01", "2025-12-31"}])
			},
			reason: "subject K4: SD-DG-K42 version 2 is not in force on " + today.String() + ": it expired after 2025-12-31",
		},
		{
			name:    "BlueprintSuperseded",
			publish: []version{{paper, 2, "2025-01-01", ""}},
			body: func(t *testing.T, genuine []byte, key string, _ map[version][]byte) []byte {
				return centretest.Resign(t, genuine, key, func(d *examsync.ResultDoc) { d.SignedMs++ })
			},
			reason: "blueprint: SD-DG-PAPER version 1 is not in force on " + today.String() + ": version 2 took effect on 2025-01-01",
		},
		{
			name:    "BlueprintNotYetEffective",
			publish: []version{{paper, 2, nextYear, ""}},
			body: func(t *testing.T, genuine []byte, key string, signed map[version][]byte) []byte {
				return rescored(t, genuine, key, signed[version{paper, 2, nextYear, ""}])
			},
			reason: "blueprint: SD-DG-PAPER version 2 is not in force on " + today.String() + ": it takes effect on " + nextYear,
		},
	}
	// One station and its genuine result (the CPR item for K4, so that
	// the K42 cases apply); a centre per case, for its publications.
	st := centretest.NewStation(t, "")
	saved := st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("in-force"), 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rigAt(t, st)
			signed := map[version][]byte{}
			for _, v := range tt.publish {
				b := signedVersion(t, v.file, v.version, v.effective, v.expires)
				if _, err := r.c.Publish(ctx, v.file, b); err != nil {
					t.Fatalf("publish %s version %d: %v", v.file, v.version, err)
				}
				signed[v] = b
			}
			body := tt.body(t, saved.Bundle, r.st.Signer, signed)
			_, err := r.client.Upload(ctx, body)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("the genuine result, scored by the versions in force: %v", err)
				}
				return
			}
			ref := refusal(t, err)
			if ref.Status != 422 || ref.Code != codeNotInForce || !strings.Contains(ref.Reason, tt.reason) {
				t.Fatalf("got %d %s %q, want 422 %s containing %q", ref.Status, ref.Code, ref.Reason, codeNotInForce, tt.reason)
			}
			alarms, err := r.c.Alarms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range alarms {
				if a.Kind == codeNotInForce && a.Station == demo.Station && strings.Contains(a.Subject, saved.ID) && strings.Contains(a.Detail, tt.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s alarm naming result %s and %q among %+v", codeNotInForce, saved.ID, tt.reason, alarms)
			}
			rep, err := r.c.VerifyLog(ctx, false)
			if err != nil || rep.Records != 0 {
				t.Errorf("after the refusal the log holds %d records (%v), want none", rep.Records, err)
			}
		})
	}
}

// rigAt is newRig over a station made already: a new centre that
// registered it and issued its plan.
func rigAt(t *testing.T, st *centretest.Station) *rig {
	t.Helper()
	c := centretest.NewCentre(t, st)
	srv := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(srv.Close)
	client, err := examsync.NewClient(srv.URL, demo.Station, st.Signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{st, c, srv, client}
}

var (
	versionLine   = regexp.MustCompile(`(?m)^version: \d+$`)
	effectiveLine = regexp.MustCompile(`(?m)^effective: \S+$`)
)

// signedVersion returns a library file made into another version with
// other dates, signed with the demo province's key, as the province
// publishes a new version.
func signedVersion(t *testing.T, file string, version int, effective, expires string) []byte {
	t.Helper()
	b, err := library.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	text := versionLine.ReplaceAllString(string(b), fmt.Sprintf("version: %d", version))
	dates := "effective: " + effective
	if expires != "" {
		dates += "\nexpires: " + expires
	}
	text = effectiveLine.ReplaceAllString(text, dates)
	signer, _ := demo.ProvinceKeys()
	signed, err := standards.Sign([]byte(text), signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// rescored returns the genuine result as a station would have made it
// had it scored by the signed version given (an item standard or the
// blueprint): the item's log names that version from its session.start,
// the item is re-scored by it, the paper totalled again, the bundle
// carries the version, and the result is signed with the station's key.
// It is consistent in every way but the dates, which only the rule of
// the standard in force can refuse.
func rescored(t *testing.T, genuine []byte, stationKey string, signed []byte) []byte {
	t.Helper()
	var b examsync.Bundle
	if err := json.Unmarshal(genuine, &b); err != nil {
		t.Fatal(err)
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		t.Fatal(err)
	}
	c, err := standards.ParseAny("rescored", standards.SplitNote(signed))
	if err != nil {
		t.Fatal(err)
	}
	bp, err := standards.ParseBlueprint("blueprint", standards.SplitNote([]byte(b.Blueprint)))
	if err != nil {
		t.Fatal(err)
	}
	if c.Blueprint != nil {
		bp = c.Blueprint
		b.Blueprint = string(signed)
		doc.Blueprint = examsync.StandardRef{ID: bp.ID, Version: bp.Version, SHA256: bp.SHA256()}
	}
	var sheets []*scoring.Sheet
	for i := range doc.Items {
		it := &doc.Items[i]
		if c.Standard != nil && it.Standard.ID == c.ID {
			events := make([]standards.Event, len(b.Events[it.Subject]))
			for j, line := range b.Events[it.Subject] {
				ev, lerr := standards.ParseEvent(line)
				if lerr != nil {
					t.Fatal(lerr)
				}
				if ev.Type == standards.TypeSessionStart {
					var data map[string]any
					if err := json.Unmarshal(ev.Data, &data); err != nil {
						t.Fatal(err)
					}
					data["version"] = c.Version
					if ev.Data, err = json.Marshal(data); err != nil {
						t.Fatal(err)
					}
				}
				events[j] = ev
			}
			lines := make([]json.RawMessage, len(events))
			for j, ev := range events {
				if lines[j], err = ev.Canonical(); err != nil {
					t.Fatal(err)
				}
			}
			head, err := standards.ChainHead(events)
			if err != nil {
				t.Fatal(err)
			}
			sheet, err := scoring.Score(c.Standard, events)
			if err != nil {
				t.Fatal(err)
			}
			delete(b.Standards, fmt.Sprintf("%s@%d", it.Standard.ID, it.Standard.Version))
			b.Standards[fmt.Sprintf("%s@%d", c.ID, c.Version)] = string(signed)
			b.Events[it.Subject] = lines
			it.Standard = examsync.StandardRef{ID: c.ID, Version: c.Version, SHA256: c.SHA256}
			it.Events, it.Head, it.Sheet = len(events), head.String(), sheet
		}
		sheets = append(sheets, it.Sheet)
	}
	if doc.Paper, err = scoring.Paper(bp, sheets); err != nil {
		t.Fatal(err)
	}
	doc.SignedMs++
	text, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(stationKey)
	if err != nil {
		t.Fatal(err)
	}
	res, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	if err != nil {
		t.Fatal(err)
	}
	b.Result = string(res)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
