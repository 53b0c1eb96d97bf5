package sim

import (
	"math/rand/v2"
	"slices"
	"time"

	"shicao/hardware/modbus/rtuslave"
	"shicao/hardware/profiles"
)

// The wiring board's registers (hardware/profiles/board.yaml).
const (
	boardEnable    = 0 // coils
	boardContactor = 1
	boardMatrix    = 100

	boardTripCount = 0 // input registers
	boardTripCause = 1
	boardRunCount  = 2
	boardRunMode   = 3
	boardRunOK     = 4
)

// BoardTerminals are the wiring board's terminals in matrix order, as
// hardware/profiles/board.yaml names them: pin level, "device.pin", the
// names of the reference circuit of SD-DG-K21
// (standards/library/sd-dg-k21-motor-jog.yaml).
var BoardTerminals = []string{
	"L1", "L2", "L3", "N", "PE",
	"QS1.1", "QS1.2", "QS1.3", "QS1.4", "QS1.5", "QS1.6",
	"FU1.1", "FU1.2", "FU1.3", "FU1.4", "FU1.5", "FU1.6",
	"FU2.1", "FU2.2", "FU2.3", "FU2.4",
	"KM1.1", "KM1.2", "KM1.3", "KM1.4", "KM1.5", "KM1.6", "KM1.13", "KM1.14", "KM1.A1", "KM1.A2",
	"FR1.1", "FR1.2", "FR1.3", "FR1.4", "FR1.5", "FR1.6", "FR1.95", "FR1.96",
	"SB1.1", "SB1.2", "SB2.3", "SB2.4", "SB3.1", "SB3.2", "SB3.3", "SB3.4",
	"U1", "V1", "W1", "M.PE",
}

// BoardReference is the reference circuit of SS-4 (电动机单向连续运转接线带
// 点动, SD-DG-K21's 接线图) on the simulated board, as its nodes: each node
// is the terminals a correct wiring joins. The standard lists the same
// nodes, the motor's PE apart (it has its own rule).
var BoardReference = [][]string{
	// main circuit: supply - QS1 - FU1 - KM1 - FR1 - motor
	{"L1", "QS1.1"}, {"L2", "QS1.3"}, {"L3", "QS1.5"},
	{"QS1.2", "FU1.1"}, {"QS1.4", "FU1.3"}, {"QS1.6", "FU1.5"},
	{"FU1.2", "KM1.1", "FU2.1"}, {"FU1.4", "KM1.3", "FU2.3"}, {"FU1.6", "KM1.5"},
	{"KM1.2", "FR1.1"}, {"KM1.4", "FR1.3"}, {"KM1.6", "FR1.5"},
	{"FR1.2", "U1"}, {"FR1.4", "V1"}, {"FR1.6", "W1"},
	// control circuit: FU2 - FR1 95-96 - SB1 (stop) - SB2 (start) and SB3
	// (jog) - KM1 coil, with the self-hold KM1 13-14 through SB3's NC 1-2
	{"FU2.2", "FR1.95"}, {"FR1.96", "SB1.1"},
	{"SB1.2", "SB2.3", "SB3.3", "KM1.13"}, {"KM1.14", "SB3.1"},
	{"SB2.4", "SB3.4", "SB3.2", "KM1.A1"}, {"KM1.A2", "FU2.4"},
	{"M.PE", "PE"},
}

// boardSwaps are the three-swapped candidate's mistakes: the three motor
// leads each landed one terminal on (SD-DG-K21's vector
// domain-three-swapped-wires).
var boardSwaps = map[string]string{
	"FR1.2-U1": "FR1.2-V1",
	"FR1.4-V1": "FR1.4-W1",
	"FR1.6-W1": "FR1.6-U1",
}

// boardShort is the short-circuit candidate's stray wire: across two phases
// after the main contacts, so the first press that pulls KM1 in shorts L1
// to L2.
const boardShort = "KM1.2-KM1.4"

// boardWires returns the wires the candidate of scenario makes, in the
// order made. A node of k terminals takes k-1 wires, chained in an order of
// the candidate's choosing: a continuity scan cannot tell the chains apart.
func boardWires(scenario string, rng *rand.Rand) []string {
	var wires []string
	for _, node := range BoardReference {
		node = slices.Clone(node)
		rng.Shuffle(len(node), func(i, j int) { node[i], node[j] = node[j], node[i] })
		for i := 1; i < len(node); i++ {
			w := profiles.Edge(node[i-1], node[i])
			if sw, ok := boardSwaps[w]; ok && scenario == "three-swapped" {
				w = sw
			}
			wires = append(wires, w)
		}
	}
	if scenario == "short-circuit" {
		wires = append(wires, boardShort)
	}
	rng.Shuffle(len(wires), func(i, j int) { wires[i], wires[j] = wires[j], wires[i] })
	return wires
}

// boardScript plays SS-4 (电动机单向连续运转接线带点动): the candidate wires
// the board, one wire every half second, then waits. The continuity matrix
// is what a scan of the board with the components isolated finds: a coil
// for every pair of terminals joined through wires, so each wire turns on
// the pairs between the two groups of terminals it joins. When the station
// enables power (coil 0, examiner-gated), the candidate closes the power
// contactor a second later and makes a jog, a run and a stop, each a second
// apart. three-swapped lands the three motor leads one terminal on;
// short-circuit adds a wire across two phases after KM1 and trips on a
// short at the first press, while energised.
func boardScript(sim *Sim, scenario string, rng *rand.Rand) (*rtuslave.Slave, []step) {
	n := len(BoardTerminals)
	s := rtuslave.New(1, boardMatrix+n*(n-1)/2, 0, identInputs)
	setIdentity(s, "SHICAO-BOARD-1", "SIMBOARD0001", "1.0.0", 100) // mains powered
	index := map[string]int{}
	for i, t := range BoardTerminals {
		index[t] = i
	}
	// groups[i] is the terminals joined to terminal i, shared by them all.
	groups := make([]*[]int, n)
	for i := range groups {
		groups[i] = &[]int{i}
	}
	var steps []step
	for k, w := range boardWires(scenario, rng) {
		a, b := split(w)
		ga, gb := groups[index[a]], groups[index[b]]
		var coils []int
		if ga != gb {
			for _, i := range *ga {
				for _, j := range *gb {
					coils = append(coils, boardMatrix+profiles.PairIndex(n, i, j))
				}
			}
			*ga = append(*ga, *gb...)
			for _, j := range *gb {
				groups[j] = ga
			}
		}
		steps = append(steps, step{at: time.Duration(k+1) * 500 * time.Millisecond, apply: func(s *rtuslave.Slave) {
			// All at once: a poll never sees half a join.
			s.Update(func(c []bool, _, _ []uint16) {
				for _, coil := range coils {
					c[coil] = true
				}
			})
		}})
	}

	// The trial run reacts to the station's power enable, so it runs on
	// the simulator's clock from the moment the coil is switched on. The
	// driver may write the coil again when a reply is lost (writing a
	// coil is idempotent), so only a change starts a trial. The hook runs
	// with the banks locked, one write at a time.
	enabled := false
	s.OnWriteCoil(func(addr uint16, on bool) byte {
		if addr != boardEnable {
			return 0
		}
		if on && !enabled {
			sim.after(time.Second, func(s *rtuslave.Slave) { boardPowerOn(s, scenario, sim) })
		}
		if !on {
			// Withdrawing power drops the contactor; change the banks
			// after the hook has returned.
			sim.after(0, func(s *rtuslave.Slave) { s.SetCoil(boardContactor, false) })
		}
		enabled = on
		return 0
	})
	return s, steps
}

// boardPowerOn is the candidate switching on once power is granted, then
// trying the motor: a jog, a run and a stop, each a second after the last.
func boardPowerOn(s *rtuslave.Slave, scenario string, sim *Sim) {
	if !s.Coil(boardEnable) {
		return
	}
	s.SetCoil(boardContactor, true)
	if scenario == "short-circuit" {
		// The jog button pulls KM1 in onto the stray wire between two
		// phases: the board's short-circuit protection trips and drops
		// the contactor before a run can be judged.
		sim.after(time.Second, func(s *rtuslave.Slave) {
			s.Update(func(coils []bool, _, in []uint16) {
				if !coils[boardContactor] {
					return
				}
				coils[boardContactor] = false
				in[boardTripCause] = 2
				in[boardTripCount]++
			})
		})
		return
	}
	var press func(modes []uint16)
	press = func(modes []uint16) {
		sim.after(time.Second, func(s *rtuslave.Slave) {
			running := true
			s.Update(func(coils []bool, _, in []uint16) {
				if running = coils[boardContactor]; !running {
					return // power withdrawn meanwhile: the motor cannot run
				}
				in[boardRunMode] = modes[0]
				in[boardRunOK] = 1
				in[boardRunCount]++
				if modes[0] == 3 {
					coils[boardContactor] = false
				}
			})
			if running && len(modes) > 1 {
				press(modes[1:])
			}
		})
	}
	press([]uint16{1, 2, 3})
}

func split(edge string) (string, string) {
	for i := 0; i < len(edge); i++ {
		if edge[i] == '-' {
			return edge[:i], edge[i+1:]
		}
	}
	return edge, ""
}
