package sim_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

// play runs a scenario to its end through the real serial path (pseudo-
// terminal, go.bug.st/serial, driver) and returns the readings about the
// candidate, the driver's counts and the provenance the device reported.
// prepare, if set, runs once the device is connected, before waiting for
// the scenario's end.
func play(t *testing.T, kind hardware.Kind, scenario string, opts sim.Options,
	prepare func(*sim.Sim, hardware.Device), settle func(*hardwaretest.Recorder) bool) ([]hardware.Reading, driver.Stats, hardware.Info) {
	t.Helper()
	return playPolled(t, kind, scenario, opts, 10, prepare, settle)
}

// playPolled is play with the trainer polled every pollMS milliseconds.
func playPolled(t *testing.T, kind hardware.Kind, scenario string, opts sim.Options, pollMS int,
	prepare func(*sim.Sim, hardware.Device), settle func(*hardwaretest.Recorder) bool) ([]hardware.Reading, driver.Stats, hardware.Info) {
	t.Helper()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := sim.Start(context.Background(), kind, scenario, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := profiles.ForKind(kind)
	if err != nil {
		t.Fatal(err)
	}
	if p.Modbus != nil {
		p.Modbus.PollMS = pollMS
		// The profile's 300 ms is a real slave's answer, made on its own
		// processor. The simulated slave shares the test's cores: with
		// both saturated by other work, three writes in a row went
		// unanswered for 300 ms each (make test under stress-ng). A late
		// answer is still checked byte for byte; only the wait is longer.
		p.Modbus.TimeoutMS = 5000
	}
	st := hardwaretest.Start(t, hardwaretest.Subject{Profile: p, Path: s.Path()})
	st.Rec.WaitFor(t, "connected", 0, hardwaretest.IsType(hardware.TypeConnected))
	if prepare != nil {
		prepare(s, st.Device)
	}
	// Wait for the scenario's end, not for a time: a trainer's simulator
	// waits for its host to read each change (a host on a loaded machine
	// slows the scenario down instead of missing events), and a streaming
	// one's bytes are all written by then, the driver reading them.
	ctx := hardwaretest.Context(t)
	if err := s.Settle(ctx); err != nil {
		t.Fatalf("scenario not over: %d of %d steps played: %v", s.Played(), s.Steps(), err)
	}
	if settle != nil {
		// A streaming device's readings are on their way; a trainer's are
		// read, but a host that timed out on the response (a loaded
		// machine) passes them on at its next good poll.
		st.Rec.WaitUntil(t, "the scenario's last readings", func() bool { return settle(st.Rec) })
	}
	st.Stop(t)
	var out []hardware.Reading
	for _, r := range st.Rec.Readings() {
		if hardwaretest.IsData(r) && r.Type != hardware.TypeStatus {
			out = append(out, r)
		}
	}
	var stats driver.Stats
	if d, ok := st.Device.(interface{ Stats() driver.Stats }); ok {
		stats = d.Stats()
	}
	return out, stats, st.Device.Info()
}

func ofType(rs []hardware.Reading, typ string) []hardware.Reading {
	var out []hardware.Reading
	for _, r := range rs {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// count waits for n readings of typ.
func count(typ string, n int) func(*hardwaretest.Recorder) bool {
	return func(r *hardwaretest.Recorder) bool { return len(ofType(r.Readings(), typ)) >= n }
}

func TestCPR_Scenarios(t *testing.T) {
	tests := []struct {
		scenario                  string
		cycles, shallow, noRecoil int
		minCycle, maxCycle        time.Duration
		noise                     float64
	}{
		{"good", 5, 0, 0, 15 * time.Second, 18 * time.Second, 0},
		{"good", 5, 0, 0, 15 * time.Second, 18 * time.Second, 0.3}, // with line noise
		{"shallow", 5, 12, 0, 15 * time.Second, 18 * time.Second, 0},
		{"slow", 5, 0, 0, 19 * time.Second, 23 * time.Second, 0},
		{"no-recoil", 5, 0, 10, 15 * time.Second, 18 * time.Second, 0},
		{"four-cycles", 4, 0, 0, 15 * time.Second, 18 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rs, stats, _ := play(t, hardware.KindCPR, tt.scenario, sim.Options{Seed: 42, Speed: 200, Noise: tt.noise},
				nil, count("cpr.ventilation", 2*tt.cycles))
			comps, vents := ofType(rs, "cpr.compression"), ofType(rs, "cpr.ventilation")
			if len(comps) != 30*tt.cycles || len(vents) != 2*tt.cycles {
				t.Fatalf("%d compressions and %d breaths, want %d and %d", len(comps), len(vents), 30*tt.cycles, 2*tt.cycles)
			}
			shallow, noRecoil := 0, 0
			for _, c := range comps {
				d := c.Fields["depth_mm"].(int)
				switch {
				case d < 50:
					shallow++
				case d < 52 || d > 58:
					t.Errorf("compression %s: depth outside the scenario's 52-58 mm", c)
				}
				if c.Fields["recoil"] == false {
					noRecoil++
				}
				if c.Fields["position"] != "ok" || !c.DeviceClock {
					t.Errorf("compression %s: want position ok on the device clock", c)
				}
			}
			if shallow != tt.shallow || noRecoil != tt.noRecoil {
				t.Errorf("%d shallow and %d without recoil, want %d and %d", shallow, noRecoil, tt.shallow, tt.noRecoil)
			}
			for i := 0; i < len(comps); i += 30 {
				// A cycle runs from its first compression to the first after it
				// would be: 30 intervals (SS-1 times each 30-compression cycle).
				d := comps[i+29].At - comps[i].At
				d += d / 29
				if d < tt.minCycle || d > tt.maxCycle {
					t.Errorf("cycle %d lasted %v, want %v to %v", i/30+1, d, tt.minCycle, tt.maxCycle)
				}
			}
			for _, v := range vents {
				ml := v.Fields["volume_ml"].(int)
				if ml < 500 || ml > 1000 || v.Fields["airway_open"] != true || v.Fields["gastric"] != false {
					t.Errorf("breath %s: want 500-1000 ml, airway open, no gastric", v)
				}
			}
			if n := len(ofType(rs, "cpr.sample")); n < 25*60 {
				t.Errorf("%d depth samples, want 25 Hz over the exam", n)
			}
			if tt.noise > 0 && stats.Dropped == 0 {
				t.Errorf("stats %+v: noise injected but no byte dropped", stats)
			}
		})
	}
}

// TestCPR_Gauge: held at the reference gauge, the manikin reports the
// held press, again and again, within its sensor's ±1 mm of the gauge.
func TestCPR_Gauge(t *testing.T) {
	rs, _, _ := play(t, hardware.KindCPR, "gauge", sim.Options{Seed: 42, Speed: 200}, nil, count("cpr.compression", 5))
	comps := ofType(rs, "cpr.compression")
	if len(comps) < 5 {
		t.Fatalf("%d held presses, want at least 5", len(comps))
	}
	for _, c := range comps {
		if d := c.Fields["depth_mm"].(int); d < sim.GaugeDepthMM-1 || d > sim.GaugeDepthMM+1 {
			t.Errorf("held press %s: want %d ± 1 mm", c, sim.GaugeDepthMM)
		}
	}
	if len(ofType(rs, "cpr.ventilation")) != 0 {
		t.Error("a breath while the chest is held at the gauge")
	}
}

func TestExtinguisher_Scenarios(t *testing.T) {
	tests := []struct {
		scenario   string
		class      string
		agent      string
		minD, maxD float64
	}{
		{"good", "B", "dry-powder", 3, 5},
		{"wrong-distance", "B", "dry-powder", 5.01, 10},
		{"water-on-electrical", "E", "water", 3, 5},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rs, _, _ := play(t, hardware.KindExtinguisher, tt.scenario, sim.Options{Seed: 3, Speed: 100}, nil, count("ext.flame", 1))
			scene, unit, pos := ofType(rs, "ext.scene"), ofType(rs, "ext.unit"), ofType(rs, "ext.position")
			if len(scene) != 1 || len(unit) != 1 || len(pos) != 1 {
				t.Fatalf("scene %v unit %v position %v: want one of each", scene, unit, pos)
			}
			if scene[0].Fields["fire_class"] != tt.class || unit[0].Fields["agent"] != tt.agent {
				t.Errorf("scene %v, unit %v; want class %s, agent %s", scene[0], unit[0], tt.class, tt.agent)
			}
			if d := pos[0].Fields["distance_m"].(float64); d < tt.minD || d > tt.maxD || pos[0].Fields["upwind"] != true {
				t.Errorf("position %v: want upwind at %v-%v m", pos[0], tt.minD, tt.maxD)
			}
			sprays, retreat := ofType(rs, "ext.spray"), ofType(rs, "ext.retreat")
			if len(sprays) == 0 || len(retreat) != 1 || len(ofType(rs, "ext.pin")) != 1 {
				t.Fatalf("%d sprays, %d retreats: want sprays, a pin, one retreat", len(sprays), len(retreat))
			}
			if last := sprays[len(sprays)-1]; retreat[0].At < last.At || retreat[0].Fields["remaining_pct"].(int) <= 0 {
				t.Errorf("retreat %v: want after the last spray and before empty", retreat[0])
			}
		})
	}
}

func TestSCBA_Scenarios(t *testing.T) {
	tests := []struct {
		scenario  string
		leakOver2 bool
		valveOpen bool    // at the first breath
		noise     float64 // chance of a flipped bit per response
	}{
		{"good", false, true, 0},
		{"good", false, true, 0.1},
		{"leak", true, true, 0},
		{"valve-closed", false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rs, stats, info := play(t, hardware.KindSCBA, tt.scenario, sim.Options{Seed: 5, Speed: 50, Noise: tt.noise}, nil, count("scba.breath", 4))
			if tt.noise > 0 && stats.Bad == 0 {
				t.Errorf("stats %+v: noise injected but no response refused", stats)
			}
			// The serial the demo registers: without it the station refuses the trainer.
			if want := (hardware.Info{Model: "SHICAO-SCBA-1", Serial: "SIMSCBA00001", Firmware: "1.0.0"}); info != want {
				t.Errorf("Info() = %+v, want %+v", info, want)
			}
			leak, alarm, breaths := ofType(rs, "scba.leak"), ofType(rs, "scba.alarm"), ofType(rs, "scba.breath")
			if len(leak) != 1 || len(alarm) != 1 || len(breaths) != 4 || len(ofType(rs, "scba.seal")) != 1 {
				t.Fatalf("%d leak tests, %d alarms, %d breaths: want 1, 1, 4 and a seal test", len(leak), len(alarm), len(breaths))
			}
			if got := leak[0].Fields["drop_mpa"].(float64) > 2; got != tt.leakOver2 {
				t.Errorf("leak %v: over 2 MPa = %v, want %v", leak[0], got, tt.leakOver2)
			}
			if a := alarm[0].Fields["mpa"].(float64); a < 5 || a > 6 {
				t.Errorf("alarm at %v MPa, want 5.5 ± 0.5", a)
			}
			if p := ofType(rs, "scba.pressure")[0].Fields["mpa"].(float64); p < 28 || p > 30 {
				t.Errorf("first pressure %v MPa, want 28-30", p)
			}
			open := false
			for _, r := range rs {
				if r.Type == "scba.valve" {
					open = r.Fields["open"].(bool)
				}
				if r.Type == "scba.breath" {
					break
				}
			}
			if open != tt.valveOpen {
				t.Errorf("valve open at the first breath = %v, want %v", open, tt.valveOpen)
			}
		})
	}
}

// TestSCBA_SlowHost: a host that polls far less often than the
// accelerated scenario changes (a loaded machine, or a slow poll) misses
// nothing: the simulator waits for each change to be read, so counters
// never move twice between two polls.
func TestSCBA_SlowHost(t *testing.T) {
	// Breaths 15 ms apart at speed 200, a poll every 60 ms.
	rs, stats, _ := playPolled(t, hardware.KindSCBA, "good", sim.Options{Seed: 5, Speed: 200}, 60, nil, count("scba.breath", 4))
	leak, alarm, breaths := ofType(rs, "scba.leak"), ofType(rs, "scba.alarm"), ofType(rs, "scba.breath")
	if len(leak) != 1 || len(alarm) != 1 || len(breaths) != 4 || stats.Missed != 0 {
		t.Fatalf("%d leak tests, %d alarms, %d breaths, %d missed: want 1, 1, 4, 0", len(leak), len(alarm), len(breaths), stats.Missed)
	}
}

// TestBoard_Scenarios: the board's continuity scan, read through the
// driver, is exactly what SD-DG-K21's vectors say a scan of such a wiring
// reports (the standard is the authority on the terminal names and on
// what the matrix holds), and the trial runs when the station grants power.
func TestBoard_Scenarios(t *testing.T) {
	std := sdDGK21(t)
	tests := []struct {
		scenario string
		vector   string // the vector whose continuity scan the board must report
		extra    []string
		trip     string
		runs     []string
	}{
		{"correct", "domain-matrix-equal-to-reference", nil, "", []string{"jog", "run", "stop"}},
		{"three-swapped", "domain-three-swapped-wires", nil, "", []string{"jog", "run", "stop"}},
		// The stray wire KM1.2-KM1.4 joins the nodes {KM1.2, FR1.1} and
		// {KM1.4, FR1.3}: four pairs more than the reference.
		{"short-circuit", "domain-matrix-equal-to-reference", []string{"FR1.1-FR1.3", "FR1.1-KM1.4", "FR1.3-KM1.2", "KM1.2-KM1.4"}, "short", nil},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rs, _, info := playBoard(t, tt.scenario)
			cont := ofType(rs, "board.continuity")
			got := cont[len(cont)-1].Fields["edges"].([]string)
			want := slices.Sorted(slices.Values(append(vectorEdges(t, std, tt.vector), tt.extra...)))
			if !slices.Equal(got, want) {
				t.Errorf("edges\n%v\nwant (%s)\n%v", got, tt.vector, want)
			}
			if !slices.IsSorted(got) {
				t.Errorf("edges %v not sorted", got)
			}
			for _, e := range got {
				a, b, ok := strings.Cut(e, "-")
				if !ok || profiles.Edge(a, b) != e || !slices.Contains(sim.BoardTerminals, a) || !slices.Contains(sim.BoardTerminals, b) {
					t.Errorf("edge %q: want A-B with A<B, both board terminals", e)
				}
			}
			// The matrix only grows as wires go in: each scan holds the last.
			for i := 1; i < len(cont); i++ {
				prev, cur := cont[i-1].Fields["edges"].([]string), cont[i].Fields["edges"].([]string)
				for _, e := range prev {
					if !slices.Contains(cur, e) {
						t.Errorf("scan %d lost %s", i, e)
					}
				}
			}
			var runs []string
			for _, r := range ofType(rs, "board.run") {
				runs = append(runs, r.Fields["mode"].(string))
				if r.Fields["ok"] != true {
					t.Errorf("run %v failed", r)
				}
			}
			if !reflect.DeepEqual(runs, tt.runs) {
				t.Errorf("runs %v, want %v", runs, tt.runs)
			}
			trips := ofType(rs, "board.trip")
			if tt.trip == "" && len(trips) != 0 || tt.trip != "" && (len(trips) != 1 || trips[0].Fields["cause"] != tt.trip) {
				t.Fatalf("trips %v, want %q", trips, tt.trip)
			}
			// Granted, switched on, switched off: the trip (or the run) happens
			// while energised.
			var power []string
			for _, p := range ofType(rs, "board.power") {
				power = append(power, fmt.Sprintf("%v/%v", p.Fields["enabled"], p.Fields["on"]))
			}
			if want := []string{"false/false", "true/false", "true/true", "true/false"}; !slices.Equal(power, want) {
				t.Errorf("power (enabled/on) %v, want %v", power, want)
			}
			if tt.trip != "" && !(ofType(rs, "board.power")[2].At <= trips[0].At) {
				t.Errorf("trip at %v before the power came on", trips[0].At)
			}
			if want := (hardware.Info{Model: "SHICAO-BOARD-1", Serial: "SIMBOARD0001", Firmware: "1.0.0"}); info != want {
				t.Errorf("Info() = %+v, want %+v", info, want)
			}
		})
	}
}

func TestPPEAndHarness_Scenarios(t *testing.T) {
	rs, _, _ := play(t, hardware.KindPPE, "missing-gloves", sim.Options{Seed: 1, Speed: 100}, nil, count("ppe.taken", 7))
	taken := ofType(rs, "ppe.taken")
	last := taken[len(taken)-1].Fields["items"].([]string)
	if len(last) != 7 || slices.Contains(last, "welding-gloves") {
		t.Errorf("items %v: want seven, no gloves", last)
	}
	rs, _, _ = play(t, hardware.KindHarness, "hook-low", sim.Options{Seed: 1, Speed: 100}, nil, count("harness.hook", 6))
	high := 0
	for _, r := range ofType(rs, "harness.hook") {
		if r.Fields["height_m"].(float64) > 2 {
			high++
			if r.Fields["below_waist"] != true || r.Fields["attached"] != true {
				t.Errorf("%v: want attached below the waist", r)
			}
		}
	}
	if high != 2 {
		t.Errorf("%d readings above 2 m, want 2", high)
	}
}

func TestStart_Errors(t *testing.T) {
	if _, err := sim.Start(context.Background(), "toaster", "", sim.Options{}); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := sim.Start(context.Background(), hardware.KindCPR, "asleep", sim.Options{}); err == nil {
		t.Error("unknown scenario accepted")
	}
}

func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	paths := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- sim.Run(ctx, hardware.KindHarness, "", sim.Options{Speed: 100}, func(p string) { paths <- p })
	}()
	p, _ := profiles.ForKind(hardware.KindHarness)
	st := hardwaretest.Start(t, hardwaretest.Subject{Profile: p, Path: <-paths})
	st.Rec.WaitFor(t, "a hook reading", 0, hardwaretest.IsType("harness.hook"))
	st.Stop(t)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}
