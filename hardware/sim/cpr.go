package sim

import (
	"math/rand/v2"
	"slices"
	"time"

	"shicao/hardware/cpr"
)

// cprScript plays SS-1 (单人徒手心肺复苏): cycles of 30 compressions and
// 2 breaths, with 25 Hz depth samples throughout.
//
// good: 5 cycles; depth 52-58 mm, position ok, full recoil, about
// 110/min (each 30-compression cycle about 16 s); breaths 500-1000 ml,
// airway open, no gastric inflation. The faults change only what their
// name says: shallow has 12 compressions at 40-47 mm; slow runs at about
// 85/min (cycles of about 21 s); no-recoil has 10 compressions without
// full recoil; four-cycles stops after 4. gauge is no exam: the chest
// held at the 50 mm reference gauge (gaugeScript).
func cprScript(scenario string, rng *rand.Rand) ([]step, func(time.Duration) []byte) {
	status := func(at time.Duration) []byte {
		b, _ := cpr.AppendFrame(nil, &cpr.Status{TimeMS: ms(at), BatteryPct: 86, Firmware: [3]uint8{1, 2, 0},
			Serial: "SIMCPR000001", Model: "SHICAO-CPR-1"})
		return b
	}
	if scenario == "gauge" {
		return gaugeScript(rng, status), status
	}
	cycles, interval := 5, 545*time.Millisecond
	var shallow, noRecoil map[int]bool
	switch scenario {
	case "shallow":
		shallow = pick(rng, 150, 12)
	case "slow":
		interval = 705 * time.Millisecond
	case "no-recoil":
		noRecoil = pick(rng, 150, 10)
	case "four-cycles":
		cycles = 4
	}
	var steps []step
	add := func(at time.Duration, rec cpr.Record) {
		b, _ := cpr.AppendFrame(nil, rec)
		steps = append(steps, step{at: at, data: b})
	}
	type press struct {
		at    time.Duration
		depth int
	}
	var presses []press
	t := 2 * time.Second
	n := 0
	for range cycles {
		for range 30 {
			jitter := time.Duration(rng.IntN(17)-8) * time.Millisecond
			t += interval + jitter
			depth := 52 + rng.IntN(7)
			if shallow[n] {
				depth = 40 + rng.IntN(8)
			}
			add(t, &cpr.Compression{TimeMS: ms(t), DepthMM: uint16(depth), Position: cpr.PositionOK, Recoil: !noRecoil[n]})
			presses = append(presses, press{t, depth})
			n++
		}
		for range 2 {
			t += 1500 * time.Millisecond
			add(t, &cpr.Ventilation{TimeMS: ms(t), VolumeML: uint16(500 + rng.IntN(501)), AirwayOpen: true})
		}
		t += 1000 * time.Millisecond
	}
	// Raw depth at 25 Hz: a triangle 300 ms wide around each compression's
	// peak, recorded after the compression (the manikin reports the peak
	// once the chest rises again).
	end := t + time.Second
	k := 0
	for st := time.Duration(0); st < end; st += 40 * time.Millisecond {
		for k < len(presses) && presses[k].at+150*time.Millisecond < st {
			k++
		}
		depth := 0
		if k < len(presses) {
			if d := presses[k].at - st; d >= -150*time.Millisecond && d <= 150*time.Millisecond {
				depth = presses[k].depth * int(150*time.Millisecond-abs(d)) / int(150*time.Millisecond)
			}
		}
		add(st+time.Millisecond, &cpr.Sample{TimeMS: ms(st), DepthMM: uint16(depth)})
	}
	for at := 10 * time.Second; at < end; at += 10 * time.Second {
		steps = append(steps, step{at: at, data: status(at)})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	return steps, status
}

// GaugeDepthMM is the depth of the reference gauge the simulated manikin
// is held at in its gauge scenario.
const GaugeDepthMM = 50

// gaugeScript holds the manikin's chest at the reference gauge, as an
// examiner does for the readiness gate's reference check (SD-DG-K42: a
// press held at 50 mm must read within ±2 mm): the manikin reports the
// held press as a compression of 49-51 mm (its sensor's ±1 mm) about
// once a second for two minutes, without recoil, with the raw depth at
// 25 Hz, so that a check armed at any moment of it gets a reading.
func gaugeScript(rng *rand.Rand, status func(time.Duration) []byte) []step {
	var steps []step
	add := func(at time.Duration, rec cpr.Record) {
		b, _ := cpr.AppendFrame(nil, rec)
		steps = append(steps, step{at: at, data: b})
	}
	const hold = 2 * time.Minute
	for t := 500 * time.Millisecond; t < hold; t += time.Second + time.Duration(rng.IntN(41)-20)*time.Millisecond {
		add(t, &cpr.Compression{TimeMS: ms(t), DepthMM: uint16(GaugeDepthMM - 1 + rng.IntN(3)), Position: cpr.PositionOK})
	}
	for st := time.Duration(0); st < hold; st += 40 * time.Millisecond {
		add(st+time.Millisecond, &cpr.Sample{TimeMS: ms(st), DepthMM: GaugeDepthMM})
	}
	for at := 10 * time.Second; at < hold; at += 10 * time.Second {
		steps = append(steps, step{at: at, data: status(at)})
	}
	slices.SortStableFunc(steps, func(a, b step) int { return int(a.at - b.at) })
	return steps
}

// pick returns k distinct indexes below n.
func pick(rng *rand.Rand, n, k int) map[int]bool {
	m := map[int]bool{}
	for _, i := range rng.Perm(n)[:k] {
		m[i] = true
	}
	return m
}

func ms(d time.Duration) uint32 { return uint32(d / time.Millisecond) }

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
