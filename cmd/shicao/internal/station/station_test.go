package station_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// clock is a settable station clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var examDay = time.Date(2026, 11, 28, 9, 0, 0, 0, time.Local)

type fixture struct {
	s     *station.Station
	clock *clock
	dir   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := station.InitDir(ctx, dir, demo.Station, demo.Site); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: examDay}
	s, err := station.OpenDir(ctx, dir, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	return &fixture{s: s, clock: c, dir: dir}
}

func allDevices() []station.Device {
	var out []station.Device
	for _, e := range demo.Equipment {
		out = append(out, station.Device{Kind: e.Kind, Port: "/dev/pts/x", Model: e.Model, Serial: e.Serial, Firmware: "1.0", Connected: true})
	}
	return out
}

func signInBoth(t *testing.T, ex *station.Exam) {
	t.Helper()
	ctx := context.Background()
	for _, e := range demo.Examiners[:2] {
		if _, err := ex.SignIn(ctx, e.ID, e.PIN); err != nil {
			t.Fatal(err)
		}
	}
}

func refusalCode(err error) string {
	var r *station.Refusal
	if errors.As(err, &r) {
		return r.Code
	}
	return ""
}

// runExam runs a whole exam: each drawn item plays its standard's vector
// named vector (or the first), ends, is confirmed and acknowledged.
func (f *fixture) runExam(t *testing.T, candidate, vector string) *station.Saved {
	t.Helper()
	return f.runExamBy(t, candidate, vector, func(ex *station.Exam) error {
		_, err := ex.VerifyCandidate(context.Background(), candidate)
		return err
	})
}

// runExamBy is runExam with the candidate identified by identify.
func (f *fixture) runExamBy(t *testing.T, candidate, vector string, identify func(*station.Exam) error) *station.Saved {
	t.Helper()
	ctx := context.Background()
	ex, err := f.s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	signInBoth(t, ex)
	if err := identify(ex); err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, "seed-"+candidate)
	passReferences(t, f.s, ex)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drawn {
		start := f.clock.Now()
		it, err := ex.StartItem(ctx, d.Subject, allDevices())
		if err != nil {
			t.Fatal(err)
		}
		v := &d.Standard.Tests[0]
		for i := range d.Standard.Tests {
			if d.Standard.Tests[i].Name == vector {
				v = &d.Standard.Tests[i]
			}
		}
		if err := it.Play(ctx, v, func(ms int64) { f.clock.Set(start.Add(time.Duration(ms) * time.Millisecond)) }); err != nil {
			t.Fatal(err)
		}
		if err := it.Finish(ctx, "finished"); err != nil {
			t.Fatal(err)
		}
		for _, e := range ex.Examiners() {
			if err := it.Confirm(ctx, e.Examiner.ID); err != nil {
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

func TestExam_WholePaper(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	saved := f.runExam(t, demo.Candidates[0].IDNumber, "perfect")
	if len(saved.Doc.Items) != 4 {
		t.Fatalf("%d items, want one per subject (4)", len(saved.Doc.Items))
	}
	for _, it := range saved.Doc.Items {
		if it.Sheet.Veto != nil {
			t.Errorf("%s %s: veto %s on its first vector", it.Subject, it.Standard.ID, it.Sheet.Veto.ID)
		}
		if it.Events < 3 || len(it.Head) != 64 {
			t.Errorf("%s: %d events, head %q", it.Subject, it.Events, it.Head)
		}
	}
	// The result and its outbox row are both there.
	ctx := context.Background()
	rows, err := f.s.Store().Outbox(ctx, "")
	if err != nil || len(rows) != 1 || rows[0].ResultID != saved.ID {
		t.Fatalf("outbox %+v %v", rows, err)
	}
	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	v, err := examsync.VerifyBundle(saved.Bundle, []string{string(pub)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Doc.Paper.Total != saved.Total {
		t.Fatalf("verified total %s, saved %s", v.Doc.Paper.Total, saved.Total)
	}
	// The province's signatures on the standards verify too.
	_, provinceVerifier := demo.ProvinceKeys()
	trust, _ := standards.NewTrust(1, provinceVerifier)
	if _, err := examsync.VerifyBundle(saved.Bundle, []string{string(pub)}, trust); err != nil {
		t.Fatal(err)
	}
	// The draw is reproducible from the recorded seed.
	for _, it := range saved.Doc.Items {
		pool := []string{}
		for _, s := range mustBlueprint(t).Subjects {
			if s.ID == it.Subject {
				pool = s.Pool
			}
		}
		if got := pool[station.DrawIndex(saved.Doc.Seed, it.Subject, len(pool))]; got != it.Standard.ID {
			t.Errorf("%s: the seed draws %s, the result has %s", it.Subject, got, it.Standard.ID)
		}
	}
}

func mustBlueprint(t *testing.T) *standards.Blueprint {
	lib, err := demo.SignedLibrary()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range lib {
		if strings.Contains(name, "sd-dg-paper") {
			bp, err := standards.ParseBlueprint(name, standards.SplitNote(b))
			if err != nil {
				t.Fatal(err)
			}
			return bp
		}
	}
	t.Fatal("no SD-DG paper in the library")
	return nil
}

// TestVerifyBundle_Tamper: each kind of tampering with an exported result
// is found, with its own message.
func TestVerifyBundle_Tamper(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	saved := f.runExam(t, demo.Candidates[1].IDNumber, "perfect")
	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	edit := func(mutate func(b *examsync.Bundle)) []byte {
		var b examsync.Bundle
		if err := json.Unmarshal(saved.Bundle, &b); err != nil {
			t.Fatal(err)
		}
		mutate(&b)
		out, _ := json.Marshal(b)
		return out
	}
	first := saved.Doc.Items[0].Subject
	tests := []struct {
		name   string
		bundle []byte
		keys   []string
		want   string
	}{
		{"EditedEvent", edit(func(b *examsync.Bundle) {
			evs := b.Events[first]
			evs[2] = json.RawMessage(strings.Replace(string(evs[2]), `"t_ms":`, `"t_ms":1`, 1))
		}), []string{string(pub)}, "an event was edited"},
		{"DeletedEvent", edit(func(b *examsync.Bundle) {
			evs := b.Events[first]
			b.Events[first] = append(evs[:2:2], evs[3:]...)
		}), []string{string(pub)}, "events were added or removed"},
		{"EditedScore", edit(func(b *examsync.Bundle) {
			b.Result = strings.Replace(b.Result, `"total":`, `"total":1`, 1)
		}), []string{string(pub)}, "signature does not verify"},
		{"OtherKey", saved.Bundle, []string{otherKey(t)}, "not signed by the station key given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := examsync.VerifyBundle(tt.bundle, tt.keys, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("VerifyBundle: %v, want %q", err, tt.want)
			}
		})
	}
}

func otherKey(t *testing.T) string {
	_, v, err := standards.GenerateKey("station-impostor")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignIn_Refusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	// A plan that lists the expired and the wrong-category examiners too.
	centreSigner, _ := demo.CentreKeys()
	p := demo.Plan(f.s.Today().String())
	p.ID = "TA-2026-DG-REFUSALS"
	p.Examiners = []string{demo.Examiners[0].ID, demo.Examiners[1].ID, demo.Examiners[2].ID, demo.Examiners[3].ID}
	signed, err := examsync.Sign(p, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportPlan(ctx, signed); err != nil {
		t.Fatal(err)
	}
	ex, err := f.s.NewExam(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, pin, code, text string
	}{
		{"WrongPIN", demo.Examiners[0].ID, "000000", "pin-wrong", "wrong PIN (4 tries left)"},
		{"CertificateExpired", demo.Examiners[2].ID, demo.Examiners[2].PIN, "cert-expired", "examiner 张伟's 低压电工作业 certificate T370902197505053456 is valid 2018-01-01 to 2024-01-01, not today"},
		{"WrongCategory", demo.Examiners[3].ID, demo.Examiners[3].PIN, "cert-category", "examiner 刘洋 holds no 低压电工作业 certificate and may not examine this category"},
		{"Unknown", "370902199601016769", "1", "examiner-unknown", "examiner 370902********6769 is not in the centre's registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ex.SignIn(ctx, tt.id, tt.pin)
			if refusalCode(err) != tt.code || err.Error() != tt.text {
				t.Fatalf("SignIn: %v (%s), want %s: %s", err, refusalCode(err), tt.code, tt.text)
			}
		})
	}
	// Repeated wrong PINs lock the examiner out, even with the right PIN.
	for i := 0; i < 4; i++ {
		ex.SignIn(ctx, demo.Examiners[0].ID, "999999")
	}
	if _, err := ex.SignIn(ctx, demo.Examiners[0].ID, demo.Examiners[0].PIN); refusalCode(err) != "pin-locked" {
		t.Fatalf("right PIN after 5 failures: %v, want pin-locked", err)
	}
	var r *station.Refusal
	errors.As(func() error { _, err := ex.SignIn(ctx, demo.Examiners[0].ID, demo.Examiners[0].PIN); return err }(), &r)
	if r == nil || !strings.Contains(r.Text("zh"), "已锁定") {
		t.Fatalf("the lockout is not said in Chinese: %v", r)
	}
	// The lockout ends.
	f.clock.Set(examDay.Add(6 * time.Minute))
	if _, err := ex.SignIn(ctx, demo.Examiners[0].ID, demo.Examiners[0].PIN); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

func TestCandidate_Refusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, err := f.s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber); refusalCode(err) != "examiners-missing" {
		t.Fatalf("candidate before the examiners: %v", err)
	}
	signInBoth(t, ex)
	tests := []struct{ name, id, code, text string }{
		{"BadCheckDigit", "370902199903081217", "id-check", "the identity card number's check character is wrong: check the card"},
		{"BadDate", "370902199913081216", "id-birth", "the birth date 19991308 in the identity card number is not a date"},
		{"Short", "37090219990308121", "id-length", "an identity card number has 18 characters, this has 17"},
		{"NotOnPlan", "370902199601016769", "candidate-not-on-plan", "no candidate with identity number 370902********6769 is on exam plan TA-2026-DG-001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ex.VerifyCandidate(ctx, tt.id)
			if refusalCode(err) != tt.code || err.Error() != tt.text {
				t.Fatalf("VerifyCandidate: %v (%s), want %s: %s", err, refusalCode(err), tt.code, tt.text)
			}
		})
	}
	// A lower-case x is the same number.
	if _, err := ex.VerifyCandidate(ctx, strings.ToLower(demo.Candidates[1].IDNumber)); err != nil {
		t.Fatal(err)
	}
}

func TestStartItem_EquipmentRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, _ := f.s.NewExam(ctx, demo.PlanID)
	signInBoth(t, ex)
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[2].IDNumber); err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, "equipment")
	if err != nil {
		t.Fatal(err)
	}
	var subject, kind string
	for _, d := range drawn {
		if len(d.Standard.Devices) > 0 {
			subject, kind = d.Subject, d.Standard.Devices[0]
		}
	}
	if subject == "" {
		t.Fatal("the draw gave no item with equipment: the seed is fixed, so the draw changed")
	}
	with := func(mutate func(*station.Device)) []station.Device {
		devs := allDevices()
		for i := range devs {
			if devs[i].Kind == kind {
				mutate(&devs[i])
			}
		}
		return devs
	}
	tests := []struct {
		name string
		devs []station.Device
		code string
	}{
		{"Unregistered", with(func(d *station.Device) { d.Serial = "TRAINING-CENTRE-7" }), "device-unregistered"},
		{"NotConnected", with(func(d *station.Device) { d.Connected = false }), "device-lost"},
		{"SelfTestFailed", with(func(d *station.Device) { d.SelfTest = errors.New("pressure sensor reads 0") }), "device-selftest"},
		{"Missing", nil, "device-missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ex.StartItem(ctx, subject, tt.devs)
			if refusalCode(err) != tt.code {
				t.Fatalf("StartItem: %v, want %s", err, tt.code)
			}
			if !strings.Contains(err.Error(), kind) {
				t.Fatalf("the refusal %q does not name the device %s", err, kind)
			}
		})
	}
}

func TestExam_PlanAndStandardRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.s.NewExam(ctx, "NO-SUCH-PLAN"); refusalCode(err) != "plan-unknown" {
		t.Fatalf("unknown plan: %v", err)
	}
	f.clock.Set(examDay.AddDate(0, 0, 1))
	if _, err := f.s.NewExam(ctx, demo.PlanID); refusalCode(err) != "plan-date" {
		t.Fatalf("tomorrow: %v", err)
	}
	// An older version of an installed standard is refused.
	signer, _ := demo.ProvinceKeys()
	lib, _ := demo.SignedLibrary()
	text := strings.Replace(string(standards.SplitNote(lib["sd-dg-k42-cpr.yaml"])), "version: 1\n", "version: 2\n", 1)
	v2, _ := standards.Sign([]byte(text), signer)
	if _, err := f.s.Install(ctx, "k42-v2", v2); err != nil {
		t.Fatal(err)
	}
	// Every version stays installed: version 1 again, the very bytes,
	// is installed already; other bytes as version 1 are an equivocation;
	// a version 1 never held would be a rollback (store tests).
	if _, err := f.s.Install(ctx, "k42-v1", lib["sd-dg-k42-cpr.yaml"]); !errors.Is(err, standards.ErrInstalled) {
		t.Fatalf("version 1 again: %v, want ErrInstalled", err)
	}
	other := strings.Replace(string(standards.SplitNote(lib["sd-dg-k42-cpr.yaml"])), "title: 单人徒手心肺复苏", "title: 单人徒手心肺复苏术", 1)
	v1b, _ := standards.Sign([]byte(other), signer)
	if _, err := f.s.Install(ctx, "k42-v1b", v1b); !errors.Is(err, standards.ErrEquivocation) {
		t.Fatalf("version 1 with other bytes: %v, want ErrEquivocation", err)
	}
	// A version older than the newest and never held is a rollback.
	k43 := string(standards.SplitNote(lib["sd-dg-k43-extinguisher.yaml"]))
	k43v3, _ := standards.Sign([]byte(strings.Replace(k43, "version: 1\n", "version: 3\n", 1)), signer)
	k43v2, _ := standards.Sign([]byte(strings.Replace(k43, "version: 1\n", "version: 2\n", 1)), signer)
	if _, err := f.s.Install(ctx, "k43-v3", k43v3); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Install(ctx, "k43-v2", k43v2); !errors.Is(err, standards.ErrRollback) {
		t.Fatalf("version 2 after version 3, never held: %v, want ErrRollback", err)
	}
	// A version not yet in effect is never drawn, and does not hide the
	// version in force: K42 is drawn as version 2.
	future := strings.Replace(text, "version: 2\n", "version: 3\n", 1)
	future = strings.Replace(future, "effective: 2024-01-01", "effective: 2027-01-01", 1)
	v3, _ := standards.Sign([]byte(future), signer)
	if _, err := f.s.Install(ctx, "k42-v3", v3); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(examDay)
	ex, _ := f.s.NewExam(ctx, demo.PlanID)
	signInBoth(t, ex)
	ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber)
	drawn, err := ex.Draw(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drawn {
		if d.Subject == "K4" && !slices.Contains(d.Pool, "SD-DG-K42") {
			t.Errorf("K4 pool %v lacks SD-DG-K42, in force as version 2", d.Pool)
		}
		if d.Standard.ID == "SD-DG-K42" && d.Standard.Version != 2 {
			t.Fatalf("drew %s version %d, want version 2 (version 3 is not in effect until 2027)", d.Standard.ID, d.Standard.Version)
		}
	}
}

// TestSignIn_LockoutAcrossRestarts: wrong PINs and lockouts are kept in
// the station's database, so a restart (a new process: here the store
// reopened and a new Station) neither resets the count nor ends a
// lockout, and each further lockout lasts twice as long.
func TestSignIn_LockoutAcrossRestarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.s.Close()
	wang := demo.Examiners[0]
	// restart opens the station afresh on the same directory.
	restart := func() *station.Exam {
		t.Helper()
		s, err := station.OpenDir(ctx, f.dir, f.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ex, err := s.NewExam(ctx, demo.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	signIn := func(pin, code, text string) {
		t.Helper()
		ex := restart() // every try in a new process
		_, err := ex.SignIn(ctx, wang.ID, pin)
		if refusalCode(err) != code || (text != "" && err.Error() != text) {
			t.Fatalf("SignIn(%s) at %s: %v (%q), want %s %q", pin, f.clock.Now().Format("15:04"), err, refusalCode(err), code, text)
		}
	}
	at := func(d time.Duration) { f.clock.Set(examDay.Add(d)) }

	for left := 4; left >= 1; left-- {
		signIn("000000", "pin-wrong", fmt.Sprintf("wrong PIN (%d tries left)", left))
	}
	signIn("000000", "pin-locked", "too many wrong PINs: examiner "+wang.Name+" "+station.MaskID(wang.ID)+" is locked out for 5 minutes")
	signIn(wang.PIN, "pin-locked", "too many wrong PINs: examiner "+wang.Name+" "+station.MaskID(wang.ID)+" is locked out until 09:05")
	at(4 * time.Minute)
	signIn(wang.PIN, "pin-locked", "")

	// After the first lockout, five more wrong PINs lock for 10 minutes.
	at(5 * time.Minute)
	for left := 4; left >= 1; left-- {
		signIn("000000", "pin-wrong", fmt.Sprintf("wrong PIN (%d tries left)", left))
	}
	signIn("000000", "pin-locked", "too many wrong PINs: examiner "+wang.Name+" "+station.MaskID(wang.ID)+" is locked out for 10 minutes")
	at(14 * time.Minute)
	signIn(wang.PIN, "pin-locked", "too many wrong PINs: examiner "+wang.Name+" "+station.MaskID(wang.ID)+" is locked out until 09:15")
	// A wrong PIN while locked out is not counted (nor checked).
	signIn("000000", "pin-locked", "")

	// The third lockout is 20 minutes; the right PIN after it clears all.
	at(15 * time.Minute)
	for i := 0; i < 5; i++ {
		restart().SignIn(ctx, wang.ID, "000000")
	}
	at(34 * time.Minute)
	signIn(wang.PIN, "pin-locked", "too many wrong PINs: examiner "+wang.Name+" "+station.MaskID(wang.ID)+" is locked out until 09:35")
	at(35 * time.Minute)
	signIn(wang.PIN, "", "")
	signIn("000000", "pin-wrong", "wrong PIN (4 tries left)")
}

// TestSignIn_LockoutCapped: lockouts double up to MaxLockout.
func TestSignIn_LockoutCapped(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	wang := demo.Examiners[0]
	var got []string
	for n := 0; n < 6; n++ {
		ex, err := f.s.NewExam(ctx, demo.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		var last error
		for i := 0; i < 5; i++ {
			_, last = ex.SignIn(ctx, wang.ID, "000000")
		}
		got = append(got, last.Error())
		f.clock.Set(f.clock.Now().Add(2 * time.Hour))
	}
	for i, minutes := range []int{5, 10, 20, 40, 60, 60} {
		if want := fmt.Sprintf("locked out for %d minutes", minutes); !strings.HasSuffix(got[i], want) {
			t.Errorf("lockout %d: %q, want ...%s", i+1, got[i], want)
		}
	}
}

// TestSignIn_ShortPIN: a PIN of fewer than 6 digits is refused at the
// station before it is checked, and does not count as a wrong PIN.
func TestSignIn_ShortPIN(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, err := f.s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		_, err := ex.SignIn(ctx, demo.Examiners[0].ID, "1234")
		if refusalCode(err) != "pin-short" {
			t.Fatalf("4-digit PIN: %v, want pin-short", err)
		}
	}
	if _, err := ex.SignIn(ctx, demo.Examiners[0].ID, demo.Examiners[0].PIN); err != nil {
		t.Fatalf("the right PIN after short ones: %v", err)
	}
	if _, err := credential.HashPIN("1234"); !errors.Is(err, credential.ErrPINShort) {
		t.Fatalf("HashPIN(1234): %v, want ErrPINShort", err)
	}
}

// TestItem_AcknowledgeLast: the candidate signs the sheet last — after
// the item has ended, after every examiner's confirmation, and with no
// review open — so the score they sign cannot change.
func TestItem_AcknowledgeLast(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, err := f.s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	signInBoth(t, ex)
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber); err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, "ack-last")
	if err != nil {
		t.Fatal(err)
	}
	d := drawn[len(drawn)-1]
	it, err := ex.StartItem(ctx, d.Subject, allDevices())
	if err != nil {
		t.Fatal(err)
	}
	chief, second := ex.Examiners()[0].Examiner, ex.Examiners()[1].Examiner
	wantRefusal(t, it.Acknowledge(ctx, true), "not-ended", "the item has not ended", "本题尚未结束")
	// The chief alone takes every mark of the first item off: the two
	// disagree beyond the standard's tolerance, and a review opens.
	first := d.Standard.Items[0]
	for _, mk := range first.Marks {
		if _, err := it.Mark(ctx, chief.ID, first.ID, mk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := it.Finish(ctx, "finished"); err != nil {
		t.Fatal(err)
	}
	if s, err := it.Sheet(); err != nil || !s.NeedsReview {
		t.Fatalf("no review open (%v): the test needs one", err)
	}
	wantRefusal(t, it.Acknowledge(ctx, true), "ack-review",
		"the examiners disagree beyond tolerance on "+first.ID+": the chief examiner resolves it and the examiners confirm before the candidate signs",
		"考评员扣分相差超过允许值（"+first.ID+"），须主考裁定、考评员确认后考生再签字")
	two, _ := standards.ParsePoints("2")
	if err := it.Resolve(ctx, chief.ID, first.ID, two, "回看录像"); err != nil {
		t.Fatal(err)
	}
	// Resolved but confirmed by nobody, then by one of the two.
	wantRefusal(t, it.Acknowledge(ctx, true), "ack-unconfirmed",
		"the candidate signs after every examiner has confirmed the sheet (not confirmed yet: "+chief.Name+", "+second.Name+")",
		"考生须在考评员全部确认后签字（尚未确认："+chief.Name+"、"+second.Name+"）")
	if err := it.Confirm(ctx, chief.ID); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, it.Acknowledge(ctx, false), "ack-unconfirmed",
		"the candidate signs after every examiner has confirmed the sheet (not confirmed yet: "+second.Name+")",
		"考生须在考评员全部确认后签字（尚未确认："+second.Name+"）")
	if it.Done() {
		t.Fatal("the item is done without the candidate's signature")
	}
	if err := it.Confirm(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	// Marks after the confirmations (both examiners agree: no review)
	// change the sheet: the examiners confirm the changed sheet before
	// the candidate signs it.
	other := d.Standard.Items[1]
	for _, x := range []string{chief.ID, second.ID} {
		if _, err := it.Mark(ctx, x, other.ID, other.Marks[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	wantRefusal(t, it.Acknowledge(ctx, true), "ack-unconfirmed",
		"the candidate signs after every examiner has confirmed the sheet (not confirmed yet: "+chief.Name+", "+second.Name+")",
		"考生须在考评员全部确认后签字（尚未确认："+chief.Name+"、"+second.Name+"）")
	for _, x := range []string{chief.ID, second.ID} {
		if err := it.Confirm(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	if err := it.Acknowledge(ctx, true); err != nil {
		t.Fatalf("the candidate signing last: %v", err)
	}
	if !it.Done() {
		t.Fatalf("not done after the candidate signed last: %v", it.Pending())
	}
}
