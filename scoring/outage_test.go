package scoring_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"shicao/scoring"
	"shicao/standards"
)

// withOutage returns events with kind lost after events[at-1] for d ms:
// device.lost at that event's time, device.back d later, and every later
// event d later too, as a device that stands still while unplugged gives
// them.
func withOutage(events []standards.Event, at int, kind string, d int64) []standards.Event {
	data := json.RawMessage(`{"kind":"` + kind + `"}`)
	t := events[at-1].TMs
	out := append([]standards.Event(nil), events[:at]...)
	out = append(out,
		standards.Event{Type: standards.TypeDeviceLost, Source: "system", TMs: t, Data: data},
		standards.Event{Type: standards.TypeDeviceBack, Source: "system", TMs: t + d, Data: data})
	for _, e := range events[at:] {
		e.TMs += d
		out = append(out, e)
	}
	return renumber(out)
}

// TestScore_OutageChangesNothing: over every vector of the sheets with
// timed device rules (the CPR cycles' pace, the extinguisher's pin and
// retreat), a device outage anywhere, of any length, scores exactly as
// the log without it: every item, every deduction's count, the veto.
func TestScore_OutageChangesNothing(t *testing.T) {
	lib := loadLibrary(t)
	rng := rand.New(rand.NewPCG(7, 14))
	for _, name := range []string{"sd-dg-k42-cpr.yaml", "sd-dg-k43-extinguisher.yaml"} {
		std := lib[name]
		for i := range std.Tests {
			v := &std.Tests[i]
			base := std.Expand(v)
			want, err := scoring.Score(std, base)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			for trial := 0; trial < 20; trial++ {
				d := int64(1 + rng.IntN(20000))
				if want.ElapsedMs+d > want.LimitMs {
					continue // the outage would run the item into overtime: the clock of the sheet runs on
				}
				at := 1 + rng.IntN(len(base)-1)
				if lostAt(base, at) {
					continue // a device is not lost twice at once
				}
				got, err := scoring.Score(std, withOutage(base, at, std.Devices[0], d))
				if err != nil {
					t.Fatalf("%s with an outage after event %d: %v", v.Name, at, err)
				}
				if g, w := summary(got), summary(want); g != w {
					t.Errorf("%s: an outage of %d ms after event %d changed the sheet:\n got %s\nwant %s", v.Name, d, at, g, w)
				}
				if len(got.Outages) != len(want.Outages)+1 || !slices.ContainsFunc(got.Outages, func(o scoring.Outage) bool { return o.LostSeq == int64(at+1) && o.DurationMs == d }) {
					t.Errorf("%s: outages %+v, want the vector's and one of %d ms lost at #%d", v.Name, got.Outages, d, at+1)
				}
			}
		}
	}
}

// lostAt reports whether a device is lost after events[at-1].
func lostAt(events []standards.Event, at int) bool {
	lost := false
	for _, e := range events[:at] {
		switch e.Type {
		case standards.TypeDeviceLost:
			lost = true
		case standards.TypeDeviceBack:
			lost = false
		}
	}
	return lost
}

// summary is what an outage must not change: the scores, the counts of
// every deduction, the veto.
func summary(s *scoring.Sheet) string {
	b, _ := json.Marshal(s.Score)
	out := "score " + string(b)
	for _, it := range s.Items {
		b, _ := json.Marshal(it.Score)
		out += " " + it.ID + "=" + string(b)
		for _, d := range it.Deductions {
			b, _ := json.Marshal(d.Count)
			out += " " + d.ID + "×" + string(b)
		}
	}
	if s.Veto != nil {
		out += " veto " + s.Veto.ID
	}
	return out
}

// TestScore_OutagesOnSheet: the sheet lists each outage with its device,
// the seq and time it was lost and back, and its length; one not over
// lasts, as things stand, to the last event; the evidence of a rule timed
// without outages is shown at the times the station recorded.
func TestScore_OutagesOnSheet(t *testing.T) {
	std := cpr(t)
	ev := withOutage(vector(t, std, "perfect"), 17, "cpr", 3000)
	sheet, err := scoring.Score(std, ev)
	if err != nil {
		t.Fatal(err)
	}
	lost := ev[17].TMs
	want := []scoring.Outage{{Device: "cpr", LostSeq: 18, LostMs: lost, BackSeq: 19, BackMs: lost + 3000, DurationMs: 3000}}
	if !slices.Equal(sheet.Outages, want) {
		t.Errorf("outages %+v, want %+v", sheet.Outages, want)
	}
	if sheet.Score != standards.PointsOf(100) {
		t.Errorf("score %s, want 100", sheet.Score)
	}

	// Live, with the manikin still out: the outage lasts to the last event.
	live, err := scoring.Score(std, append(ev[:18:18], standards.Event{Seq: 19, TMs: lost + 1200, Type: "timer", Source: "examiner:1", Data: json.RawMessage(`{"name":"pulse","ms":7000}`)}))
	if err != nil {
		t.Fatal(err)
	}
	want = []scoring.Outage{{Device: "cpr", LostSeq: 18, LostMs: lost, DurationMs: 1200}}
	if !slices.Equal(live.Outages, want) {
		t.Errorf("live outages %+v, want %+v", live.Outages, want)
	}

	slow := vector(t, std, "outage-then-slow-cycle")
	sheet, err = scoring.Score(std, slow)
	if err != nil {
		t.Fatal(err)
	}
	var pace *scoring.Deduction
	for _, it := range sheet.Items {
		for i := range it.Deductions {
			if it.Deductions[i].ID == "cycle-pace" {
				pace = &it.Deductions[i]
			}
		}
	}
	if pace == nil || len(pace.Evidence) != 1 || len(pace.Times) != 1 {
		t.Fatalf("cycle-pace %+v, want one slow cycle", pace)
	}
	if seq, at := pace.Evidence[0], pace.Times[0]; slow[seq-1].TMs != at {
		t.Errorf("cycle-pace evidence #%d shown at %d ms; the station recorded it at %d ms", seq, at, slow[seq-1].TMs)
	}
}

// TestScore_OutageOverRestart: the station restarts while the manikin is
// out; the resumed item records no device.back (the new process finds the
// manikin connected), and its first compression ends the outage. The item
// scores as without the outage, and the sheet says when it came back.
func TestScore_OutageOverRestart(t *testing.T) {
	std := cpr(t)
	base := vector(t, std, "perfect")
	ev := withOutage(base, 17, "cpr", 4000)
	ev[18].Type, ev[18].Data = "session.resume", json.RawMessage(`{"down_ms":60000,"reason":"station restarted"}`)
	ev[18].TMs -= 1000 // resumed 3 s into the outage
	sheet, err := scoring.Score(std, ev)
	if err != nil {
		t.Fatal(err)
	}
	want, err := scoring.Score(std, base)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := summary(sheet), summary(want); g != w {
		t.Errorf("an outage over a restart changed the sheet:\n got %s\nwant %s", g, w)
	}
	lost, back := ev[17].TMs, ev[19].TMs // the 16th compression, 4 s and one stroke later
	if ev[19].Type != "cpr.compression" || back != lost+4545 {
		t.Fatalf("event 20 is %s at %d, want the 16th compression at %d", ev[19].Type, back, lost+4545)
	}
	outages := []scoring.Outage{{Device: "cpr", LostSeq: 18, LostMs: lost, BackSeq: 20, BackMs: back, DurationMs: 4545}}
	if !slices.Equal(sheet.Outages, outages) {
		t.Errorf("outages %+v, want %+v", sheet.Outages, outages)
	}
}

// TestScore_OutageRefused: a device.lost or device.back whose data is
// not {kind} refuses the log, whatever the standard reads: the sheet of
// every standard lists outages, so these two are always decoded (docs/events.md,
// "What makes a whole log refused"), even for an examiner-only item
// such as K13, which selects no device event.
func TestScore_OutageRefused(t *testing.T) {
	lib := loadLibrary(t)
	for _, tt := range []struct {
		file      string
		at        int // the event inserted after events[at-1]
		typ, data string
		want      string
	}{
		{"sd-dg-k42-cpr.yaml", 5, standards.TypeDeviceLost, `{}`, "event 6: device.lost data.kind: missing"},
		{"sd-dg-k13-safety-signs.yaml", 1, standards.TypeDeviceLost, `{}`, "event 2: device.lost data.kind: missing"},
		{"sd-dg-k13-safety-signs.yaml", 1, standards.TypeDeviceBack, `{"kind":"cpr","extra":1}`, "event 2: device.back data"},
	} {
		std := lib[tt.file]
		if std == nil {
			t.Fatalf("no %s in the library", tt.file)
		}
		if len(std.Devices) > 0 && tt.file != "sd-dg-k42-cpr.yaml" {
			t.Fatalf("%s lists devices %v: the case wants a standard that reads none", tt.file, std.Devices)
		}
		ev := insert(vector(t, std, "perfect"), tt.at, standards.Event{Type: tt.typ, Source: "system", Data: json.RawMessage(tt.data)})
		_, err := scoring.Score(std, ev)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s, %s %s: error %v, want %s...", tt.file, tt.typ, tt.data, err, tt.want)
		}
	}
}
