// Package centretest is the harness of the centre's tests: a demo
// station on a virtual clock that runs whole exams in milliseconds, a
// demo centre that issued its plan, and ways to make many results or
// forged ones quickly.
package centretest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Clock is a settable clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Zone returns a fixed time zone in which it is about 13:00 now, with
// the name (Etc/GMT-N) a child process takes in TZ. The harness runs its
// stations and centres there: a station's clock starts four hours before
// now (Start), so that its exams, some forty minutes of virtual time
// each, are signed on their exam date and before the centre's real
// clock, whatever the hour the tests run at.
// It is chosen once per process: every harness station and centre, and
// a child process given the name, agree on it.
func Zone() (name string, loc *time.Location) { return zone() }

var zone = sync.OnceValues(func() (name string, loc *time.Location) {
	off := 13 - time.Now().UTC().Hour() // in -10..13
	switch {
	case off > 0:
		name = fmt.Sprintf("Etc/GMT-%d", off)
	case off < 0:
		name = fmt.Sprintf("Etc/GMT+%d", -off)
	default:
		name = "Etc/GMT"
	}
	return name, time.FixedZone(name, off*60*60)
})

// Start is where a harness station's clock starts: four hours before now,
// in Zone.
func Start() time.Time {
	_, loc := Zone()
	return time.Now().In(loc).Add(-4 * time.Hour)
}

// Station is a demo station in a temporary directory.
type Station struct {
	S      *station.Station
	Dir    string
	Signer string // station.key
	Pub    string // station.pub
	Clock  *Clock
}

// NewStation makes a demo station (seeded with the demo day) whose clock
// starts at Start.
func NewStation(t testing.TB, name string) *Station {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "station")
	if name == "" {
		name = demo.Station
	}
	if _, err := station.InitDir(ctx, dir, name, demo.Site); err != nil {
		t.Fatal(err)
	}
	clock := NewClock(Start())
	s, err := station.OpenDir(ctx, dir, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(dir, station.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, station.PubFile))
	if err != nil {
		t.Fatal(err)
	}
	return &Station{S: s, Dir: dir, Signer: strings.TrimSpace(string(key)), Pub: strings.TrimSpace(string(pub)), Clock: clock}
}

// Devices returns the demo site's equipment as connected devices.
func Devices() []station.Device {
	var out []station.Device
	for _, e := range demo.Equipment {
		out = append(out, station.Device{Kind: e.Kind, Port: "simulated", Model: e.Model, Serial: e.Serial, Firmware: "simulated", Connected: true})
	}
	return out
}

// CPRSeed returns a draw seed that draws the CPR item (SD-DG-K42) for K4,
// whose log can be made as long as wanted with compressions.
func CPRSeed(prefix string) string {
	for i := 0; ; i++ {
		seed := fmt.Sprintf("%s-%d", prefix, i)
		if station.DrawIndex(seed, "K4", 2) == 0 {
			return seed
		}
	}
}

// Exam runs a whole paper for a candidate of the demo plan: the two demo
// examiners, every drawn item played by its "perfect" vector, confirmed
// and acknowledged. extra > 0 adds that many CPR compressions to the CPR
// item, if drawn (a long, realistic log: the bench uses 2,000 events).
func (s *Station) Exam(t testing.TB, candidate, seed string, extra int) *station.Saved {
	t.Helper()
	return s.ExamVectors(t, candidate, seed, extra, nil)
}

// ExamVectors is Exam with other vectors than "perfect" for some items:
// vectors maps a standard id to the name of its test vector to play (a
// result with deductions and their evidence).
func (s *Station) ExamVectors(t testing.TB, candidate, seed string, extra int, vectors map[string]string) *station.Saved {
	t.Helper()
	ctx := context.Background()
	ex, err := s.S.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range demo.Examiners[:2] {
		if _, err := ex.SignIn(ctx, e.ID, e.PIN); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ex.VerifyCandidate(ctx, candidate); err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, seed)
	if err != nil {
		t.Fatal(err)
	}
	// The readiness gate's reference checks (SD-DG-K42's 50 mm gauge):
	// the device reads what it is held at.
	for _, r := range ex.References() {
		if _, err := ex.StartReference(r.Device); err != nil {
			t.Fatal(err)
		}
		if _, err := s.S.Offer(r.Device, r.Type, map[string]any{r.Field: r.Expected}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range drawn {
		it, err := ex.StartItem(ctx, d.Subject, Devices())
		if err != nil {
			t.Fatal(err)
		}
		var v *standards.Vector
		want := "perfect"
		if name, ok := vectors[it.Std.ID]; ok {
			want = name
		}
		for i := range it.Std.Tests {
			if it.Std.Tests[i].Name == want {
				v = &it.Std.Tests[i]
			}
		}
		if v == nil {
			t.Fatalf("%s has no vector %q", it.Std.ID, want)
		}
		t0 := it.Elapsed()
		if err := it.Play(ctx, v, func(ms int64) {
			if d := t0 + time.Duration(ms)*time.Millisecond - it.Elapsed(); d > 0 {
				s.Clock.Advance(d)
			}
		}); err != nil {
			t.Fatal(err)
		}
		if it.Std.ID == "SD-DG-K42" {
			for i := 0; i < extra; i++ {
				if err := it.Record(ctx, "cpr", "cpr.compression", map[string]any{"depth_mm": 50 + i%10, "position": "ok", "recoil": true}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := it.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if err := it.Finish(ctx, "finished"); err != nil {
			t.Fatal(err)
		}
		for _, x := range ex.Examiners() {
			if err := it.Confirm(ctx, x.Examiner.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := it.Acknowledge(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := ex.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// NewCentre makes a demo centre (in a temporary directory, exam dates
// being days in Zone) that registered the station's key and issued the
// demo plan for the station's today; skip names library files it does
// not publish.
func NewCentre(t testing.TB, s *Station, skip ...string) *centre.Centre {
	t.Helper()
	c, _ := NewCentreDir(t, s, skip...)
	return c
}

// NewCentreDir is NewCentre that also returns the data directory.
func NewCentreDir(t testing.TB, s *Station, skip ...string) (*centre.Centre, string) {
	t.Helper()
	return NewCentreDirOn(t, Backend(), s, skip...)
}

// NewCentreDirOn is NewCentreDir on the given backend.
func NewCentreDirOn(t testing.TB, backend string, s *Station, skip ...string) (*centre.Centre, string) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "centre")
	signer, _ := demo.CentreKeys()
	InitOn(t, backend, dir, "", signer)
	_, zone := Zone()
	c, err := centre.Open(ctx, dir, centre.Options{Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := demo.SeedCentre(ctx, c, s.S.Today().String(), s.Pub, skip...); err != nil {
		t.Fatal(err)
	}
	return c, dir
}

// EnvBackend picks the database the harness's centres use:
// "postgres" (a fresh PostgreSQL database per centre, see pgdbtest), or
// "sqlite", the default.
const EnvBackend = "SHICAO_TEST_BACKEND"

// Backend is the database the harness's centres use (EnvBackend).
func Backend() string {
	if os.Getenv(EnvBackend) == "postgres" {
		return "postgres"
	}
	return "sqlite"
}

// DB returns the database for a new centre on backend ("sqlite" or
// "postgres"): "" (the data directory's SQLite file), or the URL of a
// fresh PostgreSQL database, t skipping loudly when there is none.
func DB(t testing.TB, backend string) string {
	t.Helper()
	if backend == "postgres" {
		return pgdbtest.DSN(t)
	}
	return ""
}

// Init makes a centre's data directory (centre.InitDB) on Backend's
// database and returns the centre's verifier key.
func Init(t testing.TB, dir, name, signerKey string) string {
	t.Helper()
	return InitOn(t, Backend(), dir, name, signerKey)
}

// InitOn is Init on the given backend.
func InitOn(t testing.TB, backend, dir, name, signerKey string) string {
	t.Helper()
	v, err := centre.InitDB(context.Background(), dir, name, signerKey, DB(t, backend))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Resign returns bundle with its result document changed by mutate and
// signed again with signerKey, nothing else made again: a result a
// station really signed, whose content the centre must judge on its
// merits (an edited score is found by the re-score).
func Resign(t testing.TB, bundle []byte, signerKey string, mutate func(*examsync.ResultDoc)) []byte {
	t.Helper()
	var b examsync.Bundle
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		t.Fatal(err)
	}
	mutate(&doc)
	out, err := sign(&doc, &b, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Variant returns bundle as the station would have signed it for
// another attempt: its result document changed by mutate, each item's
// log bound to the new document (its session.start naming the result's
// id and candidate), the chains and sheets made again, and all signed
// with signerKey (bulk generation, results of other candidates).
func Variant(bundle []byte, signerKey string, mutate func(*examsync.ResultDoc)) ([]byte, error) {
	return edit(bundle, signerKey, false, func(doc *examsync.ResultDoc, b *examsync.Bundle) error {
		mutate(doc)
		return bind(doc, b)
	})
}

// For is the mutation that makes a variant result id of cand's first
// attempt on plan (one of BulkPlan's candidates).
func For(id, plan string, cand examsync.Candidate) func(*examsync.ResultDoc) {
	return func(d *examsync.ResultDoc) {
		d.ID = id
		d.Plan = plan
		d.Candidate = examsync.CandidateRef{IDNumber: cand.IDNumber, Name: cand.Name, Attempt: 1}
	}
}

// Variants is Variant for many results of one bundle: it parses bundle
// and signerKey once and returns a function that makes each variant (safe
// to call from several goroutines), which does all the per-result work
// Variant does — bind each item's log to the new document, chain every
// event again, sign, encode — without decoding the base again.
func Variants(bundle []byte, signerKey string) (func(mutate func(*examsync.ResultDoc)) ([]byte, error), error) {
	var base examsync.Bundle
	if err := json.Unmarshal(bundle, &base); err != nil {
		return nil, err
	}
	var baseDoc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(base.Result)), &baseDoc); err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, err
	}
	return func(mutate func(*examsync.ResultDoc)) ([]byte, error) {
		// Copy what bind, reseal and sign write: the items (each item's
		// count and head), the events map (bind replaces a subject's
		// lines with a clone) and the result.
		doc, b := baseDoc, base
		doc.Items = slices.Clone(baseDoc.Items)
		b.Events = maps.Clone(base.Events)
		mutate(&doc)
		if err := bind(&doc, &b); err != nil {
			return nil, err
		}
		if err := reseal(&doc, &b, false); err != nil {
			return nil, err
		}
		return signWith(&doc, &b, signer)
	}, nil
}

// Remake is Variant in a test: a result a station might really sign,
// for the centre to judge on its merits.
func Remake(t testing.TB, bundle []byte, signerKey string, mutate func(*examsync.ResultDoc)) []byte {
	t.Helper()
	out, err := Variant(bundle, signerKey, mutate)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Edit returns bundle with its document and events changed by f, each
// item's event count, chain head and sheet and the paper made again from
// the events as they now are, and the result signed with signerKey: what
// a stolen or buggy station's key can make of a genuine result, short of
// rewriting the logs.
func Edit(t testing.TB, bundle []byte, signerKey string, f func(*examsync.ResultDoc, *examsync.Bundle)) []byte {
	t.Helper()
	out, err := edit(bundle, signerKey, true, func(doc *examsync.ResultDoc, b *examsync.Bundle) error {
		f(doc, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// edit applies f, then makes the chains (and with rescore the sheets and
// the paper) again. Binding a log changes only its session.start, which
// scoring does not read: bulk variants skip the re-score.
func edit(bundle []byte, signerKey string, rescore bool, f func(*examsync.ResultDoc, *examsync.Bundle) error) ([]byte, error) {
	var b examsync.Bundle
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, err
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		return nil, err
	}
	if err := f(&doc, &b); err != nil {
		return nil, err
	}
	if err := reseal(&doc, &b, rescore); err != nil {
		return nil, err
	}
	return sign(&doc, &b, signerKey)
}

// bind rewrites each item's session.start to name doc's id and
// candidate, as the station writes it.
func bind(doc *examsync.ResultDoc, b *examsync.Bundle) error {
	for _, it := range doc.Items {
		lines := b.Events[it.Subject]
		if len(lines) == 0 {
			continue
		}
		ev, perr := standards.ParseEvent(lines[0])
		if perr != nil {
			return perr
		}
		var data map[string]any
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			return err
		}
		data["attempt_id"], data["candidate"] = doc.ID, doc.Candidate.IDNumber
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		ev.Data = raw
		line, err := ev.Canonical()
		if err != nil {
			return err
		}
		lines = slices.Clone(lines)
		lines[0] = line
		b.Events[it.Subject] = lines
	}
	return nil
}

// reseal makes each item's event count and chain head, and with rescore
// its sheet and the paper, again from the bundle's events and standards.
func reseal(doc *examsync.ResultDoc, b *examsync.Bundle, rescore bool) error {
	var sheets []*scoring.Sheet
	for i, it := range doc.Items {
		if !rescore {
			var chain standards.Chain
			for _, l := range b.Events[it.Subject] {
				v, lerr := standards.ScanEvent(l)
				if lerr != nil {
					return lerr
				}
				if err := chain.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
					return err
				}
			}
			doc.Items[i].Events, doc.Items[i].Head = len(b.Events[it.Subject]), chain.Head().String()
			continue
		}
		std, err := examsync.ItemStandard(b, &doc.Items[i], nil)
		if err != nil {
			return fmt.Errorf("subject %s: %w", it.Subject, err)
		}
		sess := scoring.NewSession(std)
		var chain standards.Chain
		lines := b.Events[it.Subject]
		for _, l := range lines {
			v, lerr := standards.ScanEvent(l)
			if lerr != nil {
				return lerr
			}
			if err := chain.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
				return err
			}
			if err := sess.AddLine(l); err != nil {
				return fmt.Errorf("subject %s: %w", it.Subject, err)
			}
		}
		sheet, err := sess.Sheet()
		if err != nil {
			return fmt.Errorf("subject %s: %w", it.Subject, err)
		}
		doc.Items[i].Events, doc.Items[i].Head, doc.Items[i].Sheet = len(lines), chain.Head().String(), sheet
		sheets = append(sheets, sheet)
	}
	if !rescore {
		return nil
	}
	bp, err := standards.ParseBlueprint("blueprint", standards.SplitNote([]byte(b.Blueprint)))
	if err != nil {
		return err
	}
	doc.Paper, err = scoring.Paper(bp, sheets)
	return err
}

func sign(doc *examsync.ResultDoc, b *examsync.Bundle, signerKey string) ([]byte, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, err
	}
	return signWith(doc, b, signer)
}

func signWith(doc *examsync.ResultDoc, b *examsync.Bundle, signer note.Signer) ([]byte, error) {
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	if err != nil {
		return nil, err
	}
	b.Result = string(signed)
	return json.Marshal(b)
}

// BulkPlan issues, at the centre and at the station, a plan like the
// demo plan with n made-up candidates (valid 身份证号): the centre keeps
// one result per candidate and attempt, so many results need as many
// candidates. It returns the plan id and the candidates.
func (s *Station) BulkPlan(t testing.TB, c *centre.Centre, id string, n int) []examsync.Candidate {
	t.Helper()
	ctx := context.Background()
	p := demo.BulkPlan(s.S.Today().String(), id, n)
	rows := make([]centre.PlanRow, n)
	for i, x := range p.Candidates {
		rows[i] = centre.PlanRow{Plan: id, Date: p.Date, Site: p.Site, Station: p.Station, Category: p.Category,
			Blueprint: p.Blueprint, IDNumber: x.IDNumber, Name: x.Name, Attempt: x.Attempt, Examiners: p.Examiners}
	}
	if _, err := c.ImportPlans(ctx, rows); err != nil {
		t.Fatal(err)
	}
	_, signed, err := c.PlanByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.S.ImportPlan(ctx, signed); err != nil {
		t.Fatal(err)
	}
	return p.Candidates
}

// Fill saves n more results into the station's store, each with its
// outbox row, as Exam would: variants of base with new ids, each for a
// candidate of a bulk plan issued for them (BulkPlan), and new signing
// times, their logs bound to them (Variant), signed with the station's
// key. Binding and signing are the only work per result (no re-score),
// so a thousand take seconds.
func (s *Station) Fill(t testing.TB, c *centre.Centre, base *station.Saved, n int, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	plan := "TA-BULK-" + strings.ToUpper(prefix)
	cands := s.BulkPlan(t, c, plan, n)
	ids := make([]string, 0, n)
	for i, cand := range cands {
		id := fmt.Sprintf("%s%06d", prefix, i)
		body, err := Variant(base.Bundle, s.Signer, func(d *examsync.ResultDoc) {
			d.ID = id
			d.Plan = plan
			d.Candidate = examsync.CandidateRef{IDNumber: cand.IDNumber, Name: cand.Name, Attempt: 1}
			d.SignedMs += int64(i)
		})
		if err != nil {
			t.Fatal(err)
		}
		b, err := examsync.DecodeBundle(body)
		if err != nil {
			t.Fatal(err)
		}
		err = s.S.Store().SaveResult(ctx, store.Result{ID: id, AttemptID: id, Candidate: cand.IDNumber, PlanID: plan,
			Total: base.Total.String(), Passed: base.Passed, Signed: []byte(b.Result)}, body)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
