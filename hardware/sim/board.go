package sim

import (
	"math/rand/v2"
	"time"

	"shicao/hardware/modbus/modbustest"
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
	boardLoose     = 5
	boardExposed   = 6
	boardInputs    = 7
)

// BoardTerminals are the wiring board's terminals in matrix order, as
// hardware/profiles/board.yaml names them.
var BoardTerminals = []string{"L1", "L2", "L3", "N", "PE", "QS1", "FU1", "FU2", "SB1", "SB2", "SB3", "KM1", "KM2", "FR1", "U1", "V1", "W1", "M.PE"}

// BoardReference is the reference netlist of SS-4's circuit (单向连续运转
// 接线带点动) on the simulated board: the wires a correct candidate makes.
var BoardReference = []string{
	"L1-QS1", "L2-QS1", "L3-QS1", "FU1-QS1", "FU2-QS1", "FU1-SB1", "SB1-SB2", "SB2-SB3",
	"KM1-SB3", "KM1-KM2", "FR1-KM2", "FR1-FU2", "KM1-U1", "KM2-V1", "FR1-W1", "M.PE-PE",
}

// boardSwaps are the three wires the three-swapped candidate gets wrong.
var boardSwaps = map[string]string{"SB1-SB2": "SB1-SB3", "KM1-U1": "KM2-U1", "FR1-W1": "FR1-V1"}

// boardScript plays SS-4 (电动机单向连续运转接线带点动): the candidate wires
// the board over about 12 s (the continuity matrix fills in), then waits.
// When the station enables power (coil 0, examiner-gated), the candidate
// closes the contactor a second later and makes a jog, a run and a stop,
// each a second apart. three-swapped makes three wrong wires and leaves a
// loose terminal; short-circuit trips on a short as the contactor closes.
func boardScript(sim *Sim, scenario string, rng *rand.Rand) (*modbustest.Slave, []step) {
	n := len(BoardTerminals)
	s := modbustest.New(1, boardMatrix+n*(n-1)/2, 0, boardInputs)
	index := map[string]int{}
	for i, t := range BoardTerminals {
		index[t] = i
	}
	wires := make([]string, len(BoardReference))
	copy(wires, BoardReference)
	if scenario == "three-swapped" {
		for i, w := range wires {
			if sw, ok := boardSwaps[w]; ok {
				wires[i] = sw
			}
		}
	}
	rng.Shuffle(len(wires), func(i, j int) { wires[i], wires[j] = wires[j], wires[i] })
	var steps []step
	for i, w := range wires {
		a, b := split(w)
		coil := boardMatrix + profiles.PairIndex(n, index[a], index[b])
		steps = append(steps, step{at: time.Duration(i+1) * 700 * time.Millisecond, apply: func(s *modbustest.Slave) {
			s.SetCoil(coil, true)
		}})
	}
	loose := uint16(0)
	if scenario == "three-swapped" {
		loose = 1
	}
	steps = append(steps, step{at: 13 * time.Second, apply: func(s *modbustest.Slave) {
		s.SetInput(boardLoose, loose)
	}})

	// The trial run reacts to the station's power enable, so it runs on
	// the simulator's clock from the moment the coil is written.
	s.OnWriteCoil(func(addr uint16, on bool) byte {
		if addr == boardEnable && on {
			sim.after(time.Second, func() { boardPowerOn(s, scenario, sim) })
		}
		if addr == boardEnable && !on {
			// The hook runs with the banks locked: change them afterwards.
			sim.after(0, func() { s.SetCoil(boardContactor, false) })
		}
		return 0
	})
	return s, steps
}

func boardPowerOn(s *modbustest.Slave, scenario string, sim *Sim) {
	if !s.Coil(boardEnable) {
		return
	}
	if scenario == "short-circuit" {
		s.Update(func(coils []bool, _, in []uint16) {
			coils[boardContactor] = false
			in[boardTripCause] = 2
			in[boardTripCount]++
		})
		return
	}
	s.SetCoil(boardContactor, true)
	for i, mode := range []uint16{1, 2, 3} {
		sim.after(time.Duration(i+1)*time.Second, func() {
			s.Update(func(coils []bool, _, in []uint16) {
				in[boardRunMode] = mode
				in[boardRunOK] = 1
				in[boardRunCount]++
				if mode == 3 {
					coils[boardContactor] = false
				}
			})
		})
	}
}

func split(edge string) (string, string) {
	for i := 0; i < len(edge); i++ {
		if edge[i] == '-' {
			return edge[:i], edge[i+1:]
		}
	}
	return edge, ""
}
