package standards_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/standardstest"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// seenNone is a station that has installed nothing.
func seenNone(string) (standards.Seen, bool) { return standards.Seen{}, false }

// seenOnly is a station that has installed one version of one id.
func seenOnly(id string, version int, text []byte) func(string) (standards.Seen, bool) {
	return func(got string) (standards.Seen, bool) {
		if got != id {
			return standards.Seen{}, false
		}
		return standards.Seen{Version: version, SHA256: sha(text)}, true
	}
}

// TestAdmit walks the install decision: signatures, parse, versions and the
// standard's own vectors, each refusal with its own error.
func TestAdmit(t *testing.T) {
	p := standardstest.NewProvince(t, "sd-anquan-1", "sd-anquan-2", "sd-anquan-3")
	trust := p.Trust(t, 2)
	v1 := readValid(t, "minimal.yaml")
	v2 := bytes.Replace(v1, []byte("version: 1\n"), []byte("version: 2\n"), 1)
	// v1 again with other bytes: the same id and version, a changed title.
	v1b := bytes.Replace(v1, []byte("title: 测试项目"), []byte("title: 测试项目（修订）"), 1)
	selfTestFails, err := os.ReadFile("testdata/install/selftest-fails.yaml")
	if err != nil {
		t.Fatal(err)
	}
	notParsing := bytes.Replace(v1, []byte("deduct: 2}"), []byte("deduct: 0.25}"), 1)
	blueprint := readValid(t, "blueprint.yaml")

	tests := []struct {
		name   string
		signed []byte
		seen   func(string) (standards.Seen, bool)
		want   error // nil: admitted
	}{
		{"OK", p.Sign(t, v1, 0, 1), seenNone, nil},
		{"OK/Newer", p.Sign(t, v2, 0, 1), seenOnly("T-MIN", 1, v1), nil},
		{"OK/OtherID", p.Sign(t, v1, 0, 1), seenOnly("T-OTHER", 5, v2), nil},
		{"OK/Blueprint", p.Sign(t, blueprint, 1, 2), seenNone, nil},
		{"ErrRollback", p.Sign(t, v1, 0, 1), seenOnly("T-MIN", 2, v2), standards.ErrRollback},
		{"ErrEquivocation", p.Sign(t, v1b, 0, 1), seenOnly("T-MIN", 1, v1), standards.ErrEquivocation},
		{"ErrInstalled", p.Sign(t, v1, 0, 1), seenOnly("T-MIN", 1, v1), standards.ErrInstalled},
		{"ErrSelfTest", p.Sign(t, selfTestFails, 0, 1), seenNone, standards.ErrSelfTest},
		{"ErrBelowThreshold", p.Sign(t, v1, 2), seenNone, standards.ErrBelowThreshold},
		{"ErrBadSignature", flipText(p.Sign(t, v1, 0, 1)), seenNone, standards.ErrBadSignature},
		{"ErrNotNote", v1, seenNone, standards.ErrNotNote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := standards.Admit(tt.signed, "t.yaml", trust, tt.seen, scoring.SelfTest)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				text := standards.SplitNote(tt.signed)
				if c.SHA256 != sha(text) {
					t.Errorf("SHA256 %s is not the hash of the signed text", c.SHA256)
				}
				if len(c.Signers) < 2 {
					t.Errorf("signers %v; the threshold is 2", c.Signers)
				}
				if (c.Standard == nil) == (c.Blueprint == nil) {
					t.Error("want exactly one of Standard and Blueprint")
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "t.yaml: ") {
				t.Errorf("error %q does not name the file", err)
			}
			// Only ErrInstalled and ErrRollback, which do not refuse
			// the text itself, return the candidate (the station may
			// hold that very version).
			if (c != nil) != (tt.want == standards.ErrInstalled || tt.want == standards.ErrRollback) {
				t.Errorf("candidate %v returned with %v", c, err)
			}
		})
	}

	t.Run("Problems", func(t *testing.T) {
		_, err := standards.Admit(p.Sign(t, notParsing, 0, 1), "t.yaml", trust, seenNone, scoring.SelfTest)
		var ps standards.Problems
		if !errors.As(err, &ps) {
			t.Fatalf("got %v, want the parse problems", err)
		}
		if want := "t.yaml:18: items[0].marks[0].deduct: \"0.25\": points have at most one decimal digit"; err.Error() != want {
			t.Errorf("got %q, want %q", err, want)
		}
	})
	t.Run("ErrSelfTest/NamesTheVector", func(t *testing.T) {
		// The text itself is well-formed: only running its vectors finds
		// the fault, which is why Admit runs them.
		if _, err := standards.Parse("t.yaml", selfTestFails); err != nil {
			t.Fatalf("Parse refused it already: %v", err)
		}
		_, err := standards.Admit(p.Sign(t, selfTestFails, 0, 1), "t.yaml", trust, seenNone, scoring.SelfTest)
		if err == nil || !strings.Contains(err.Error(), "two-shallow") || !strings.Contains(err.Error(), "score 96, want 90") {
			t.Errorf("error %v does not say which vector failed and how", err)
		}
	})
	t.Run("RollbackBeforeSelfTest", func(t *testing.T) {
		// An old version is refused as old even if it would also fail its
		// vectors: the station reports the version, which is the alarm.
		_, err := standards.Admit(p.Sign(t, selfTestFails, 0, 1), "t.yaml", trust, seenOnly("T-SELFTEST", 3, nil), scoring.SelfTest)
		if !errors.Is(err, standards.ErrRollback) {
			t.Fatalf("got %v, want %v", err, standards.ErrRollback)
		}
	})
	t.Run("SelfTestCalled", func(t *testing.T) {
		var called []string
		test := func(c *standards.Candidate) error {
			called = append(called, c.ID)
			return nil
		}
		if _, err := standards.Admit(p.Sign(t, v1, 0, 1), "t.yaml", trust, seenNone, test); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(called, []string{"T-MIN"}) {
			t.Errorf("self-test ran on %v, want [T-MIN]", called)
		}
	})
}

func TestStandard_UsableOn(t *testing.T) {
	s, err := standards.Parse("minimal.yaml", readValid(t, "minimal.yaml")) // effective 2024-01-01
	if err != nil {
		t.Fatal(err)
	}
	b, err := standards.ParseBlueprint("blueprint.yaml", readValid(t, "blueprint.yaml")) // effective 2024-01-01
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		day  standards.Date
		want error
	}{
		{standards.Date{Y: 2023, M: 12, D: 31}, standards.ErrNotEffective},
		{standards.Date{Y: 2023, M: 1, D: 2}, standards.ErrNotEffective},
		{standards.Date{Y: 2024, M: 1, D: 1}, nil},
		{standards.Date{Y: 2024, M: 1, D: 2}, nil},
		{standards.Date{Y: 2030, M: 6, D: 15}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.day.String(), func(t *testing.T) {
			if err := s.UsableOn(tt.day); !errors.Is(err, tt.want) {
				t.Errorf("standard: got %v, want %v", err, tt.want)
			}
			if err := b.UsableOn(tt.day); !errors.Is(err, tt.want) {
				t.Errorf("blueprint: got %v, want %v", err, tt.want)
			}
			if err := s.UsableOn(tt.day); err != nil && !strings.Contains(err.Error(), "2024-01-01") {
				t.Errorf("error %q does not say when the standard takes effect", err)
			}
		})
	}
}

func TestStandard_UsableOn_Expires(t *testing.T) {
	text := bytes.Replace(readValid(t, "minimal.yaml"), []byte("effective: 2024-01-01\n"), []byte("effective: 2024-01-01\nexpires: 2025-06-30\n"), 1)
	s, err := standards.Parse("minimal.yaml", text)
	if err != nil {
		t.Fatal(err)
	}
	if s.Expires.String() != "2025-06-30" {
		t.Fatalf("expires %s", s.Expires)
	}
	// The expires date is the last day of use.
	if err := s.UsableOn(standards.Date{Y: 2025, M: 6, D: 30}); err != nil {
		t.Errorf("on its expires date: %v", err)
	}
	err = s.UsableOn(standards.Date{Y: 2025, M: 7, D: 1})
	if !errors.Is(err, standards.ErrExpired) || !strings.Contains(err.Error(), "2025-06-30") {
		t.Errorf("the day after: %v, want ErrExpired naming 2025-06-30", err)
	}
}

// TestStateOn: which version is in force on a day, and what the others
// are; the rule of the notice (score by the standard in force).
func TestStateOn(t *testing.T) {
	d := func(s string) standards.Date {
		t.Helper()
		x, err := standards.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	v1 := standards.Span{Version: 1, Effective: d("2024-01-01")}
	v2 := standards.Span{Version: 2, Effective: d("2025-01-01")}
	v3 := standards.Span{Version: 3, Effective: d("2027-01-01")}
	v2exp := standards.Span{Version: 2, Effective: d("2025-01-01"), Expires: d("2025-12-31")}
	tests := []struct {
		name     string
		versions []standards.Span
		day      string
		states   []standards.State // of each version, in order
		inForce  int               // 0: none
	}{
		{"OnlyOne", []standards.Span{v1}, "2024-06-01", []standards.State{standards.InForce}, 1},
		{"BeforeAny", []standards.Span{v1}, "2023-12-31", []standards.State{standards.Scheduled}, 0},
		{"NewerScheduled", []standards.Span{v1, v2, v3}, "2026-06-01", []standards.State{standards.Superseded, standards.InForce, standards.Scheduled}, 2},
		{"NewerTookEffect", []standards.Span{v1, v2, v3}, "2027-01-01", []standards.State{standards.Superseded, standards.Superseded, standards.InForce}, 3},
		{"LastDayBeforeNext", []standards.Span{v1, v2}, "2024-12-31", []standards.State{standards.InForce, standards.Scheduled}, 1},
		{"ExpiresIsTheLastDay", []standards.Span{v1, v2exp}, "2025-12-31", []standards.State{standards.Superseded, standards.InForce}, 2},
		// An expired newest version does not bring the older one back.
		{"Expired", []standards.Span{v1, v2exp}, "2026-01-01", []standards.State{standards.Superseded, standards.Expired}, 0},
		// Dated out of order: version 4, dated before version 3, is in
		// force, so version 3 is superseded before its date comes.
		{"OutOfOrder", []standards.Span{v1, v3, {Version: 4, Effective: d("2026-01-01")}}, "2026-06-01", []standards.State{standards.Superseded, standards.Superseded, standards.InForce}, 4},
		{"ExpiredThenNewer", []standards.Span{v1, v2exp, v3}, "2027-02-01", []standards.State{standards.Superseded, standards.Superseded, standards.InForce}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := d(tt.day)
			for i, v := range tt.versions {
				if got, _ := standards.StateOn(tt.versions, v, day); got != tt.states[i] {
					t.Errorf("version %d on %s: %s, want %s", v.Version, day, got, tt.states[i])
				}
				why := standards.NotInForce("T", tt.versions, v, day)
				if (why == "") != (tt.states[i] == standards.InForce) {
					t.Errorf("version %d: NotInForce %q for a version %s", v.Version, why, tt.states[i])
				}
			}
			got, ok := standards.InForceOn(tt.versions, day)
			if got.Version != tt.inForce || ok != (tt.inForce != 0) {
				t.Errorf("in force on %s: version %d (%v), want %d", day, got.Version, ok, tt.inForce)
			}
		})
	}
}
