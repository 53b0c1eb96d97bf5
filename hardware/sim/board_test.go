package sim_test

import (
	"encoding/json"
	"testing"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/sim"
	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

// sdDGK21 is the standard that scores the board's scenarios (SS-4): the
// authority on terminal names and on what a continuity scan reports.
func sdDGK21(t *testing.T) *standards.Standard {
	t.Helper()
	const file = "sd-dg-k21-motor-jog.yaml"
	data, err := library.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	std, err := standards.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	return std
}

// vectorEdges returns the continuity scan of the standard's vector name.
func vectorEdges(t *testing.T, std *standards.Standard, name string) []string {
	t.Helper()
	for i := range std.Tests {
		if std.Tests[i].Name != name {
			continue
		}
		for _, e := range std.Expand(&std.Tests[i]) {
			if e.Type == "board.continuity" {
				var d struct{ Edges []string }
				if err := json.Unmarshal(e.Data, &d); err != nil {
					t.Fatal(err)
				}
				return d.Edges
			}
		}
	}
	t.Fatalf("%s has no vector %s with a continuity scan", std.ID, name)
	return nil
}

// playBoard plays a board scenario through a pseudo-terminal and the
// driver. The examiner grants power (Set power_enable, as the station does)
// once the candidate has finished wiring, and the test waits for the trial
// (three runs) or the trip.
func playBoard(t *testing.T, scenario string) ([]hardware.Reading, driver.Stats, hardware.Info) {
	t.Helper()
	grant := func(s *sim.Sim, d hardware.Device) {
		<-s.Done()
		if err := d.(*driver.Modbus).Set(hardwaretest.Context(t), "power_enable", true); err != nil {
			t.Errorf("power enable: %v", err)
		}
	}
	done := count("board.run", 3)
	if scenario == "short-circuit" {
		done = func(r *hardwaretest.Recorder) bool {
			rs := r.Readings()
			// the trip, and the contactor seen open after it
			return len(ofType(rs, "board.trip")) == 1 && len(ofType(rs, "board.power")) >= 4
		}
	}
	return play(t, hardware.KindBoard, scenario, sim.Options{Seed: 9, Speed: 20}, grant, done)
}

// eventLog turns a device's readings into the log the station would score:
// session.start first, t_ms from each reading's At, seq 1..n, no marks by
// the examiners, and session.end after the last reading.
func eventLog(t *testing.T, std *standards.Standard, rs []hardware.Reading) []standards.Event {
	t.Helper()
	var log []standards.Event
	add := func(tms int64, typ, source string, data any) {
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, standards.Event{Seq: int64(len(log) + 1), TMs: tms, Type: typ, Source: source, Data: b})
	}
	add(0, standards.TypeSessionStart, "system", map[string]any{"item": std.ID, "version": std.Version, "examiners": []string{"1", "2"}})
	var last int64
	for _, r := range rs {
		last = r.At.Milliseconds()
		add(last, r.Type, "device:"+string(r.Kind), r.Fields)
	}
	add(last, standards.TypeSessionEnd, "system", map[string]any{"reason": "finished"})
	return log
}

// TestBoard_ScoredBySDDGK21 is the cross-check the board exists for: the
// simulator's scenarios, read through a pseudo-terminal and the driver,
// score on SD-DG-K21 what the standard's own vectors say such a wiring
// scores. correct is the perfect candidate (100, 按图接线 40);
// three-swapped loses 15 on 按图接线 (25) and nothing else; short-circuit
// is vetoed.
func TestBoard_ScoredBySDDGK21(t *testing.T) {
	std := sdDGK21(t)
	tests := []struct {
		scenario string
		score    int64
		wiring   int64
		wrong    int // wrong-connection count
		veto     string
	}{
		{"correct", 100, 40, 0, ""},
		{"three-swapped", 85, 25, 3, ""},
		{"short-circuit", 0, 30, 2, "short-circuit"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rs, _, _ := playBoard(t, tt.scenario)
			sheet, err := scoring.Score(std, eventLog(t, std, rs))
			if err != nil {
				t.Fatal(err)
			}
			veto := ""
			if sheet.Veto != nil {
				veto = sheet.Veto.ID
			}
			if sheet.Score != standards.PointsOf(tt.score) || veto != tt.veto || !sheet.Finished {
				t.Errorf("score %s, veto %q, finished %v; want %d, %q, finished", sheet.Score, veto, sheet.Finished, tt.score, tt.veto)
			}
			if tt.veto == "" && !sheet.Passed {
				t.Errorf("not passed with %s", sheet.Score)
			}
			items := map[string]scoring.ItemScore{}
			for _, it := range sheet.Items {
				items[it.ID] = it
			}
			wiring := items["wiring"]
			if wiring.Score != standards.PointsOf(tt.wiring) {
				t.Errorf("按图接线 %s, want %d; deductions %+v", wiring.Score, tt.wiring, wiring.Deductions)
			}
			wrong := 0
			for _, d := range wiring.Deductions {
				if d.ID == "wrong-connection" {
					wrong = d.Count
				}
			}
			if wrong != tt.wrong {
				t.Errorf("wrong-connection %d, want %d", wrong, tt.wrong)
			}
			if tt.veto == "" && items["trial"].Score != standards.PointsOf(30) {
				t.Errorf("通电试运行 %s, want 30; deductions %+v", items["trial"].Score, items["trial"].Deductions)
			}
		})
	}
}
