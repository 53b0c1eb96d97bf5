package sim

import (
	"math/rand/v2"
	"time"

	"shicao/hardware/modbus/rtuslave"
)

// The SCBA trainer's registers (hardware/profiles/scba.yaml).
const (
	scbaPressure = iota // input registers
	scbaLeakCount
	scbaLeakDrop
	scbaAlarmCount
	scbaAlarmMPa
	scbaSealCount
	scbaSealOK
	scbaBreathCount
	scbaBreathLPM
)

const (
	scbaValve  = 0 // coils
	scbaSupply = 1
)

// scbaScript plays SS-3 (正压式空气呼吸器): cylinder at about 29.5 MPa,
// the valve opened and closed for the one-minute leak test, the alarm
// whistle checked while bleeding down, the mask seal test, the valve
// reopened, the demand valve connected, then breaths. leak drops 3.2 MPa
// in the minute; valve-closed never reopens the valve before breathing.
func scbaScript(scenario string, rng *rand.Rand) (*rtuslave.Slave, []step) {
	s := rtuslave.New(1, 2, 0, identInputs)
	setIdentity(s, "SHICAO-SCBA-1", "SIMSCBA00001", "1.0.0", 87)
	var steps []step
	sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	do := func(at float64, f func(coils []bool, in []uint16)) {
		steps = append(steps, step{at: sec(at), apply: func(s *rtuslave.Slave) {
			s.Update(func(coils []bool, _ []uint16, in []uint16) { f(coils, in) })
		}})
	}
	p := uint16(2930 + rng.IntN(40))
	drop := uint16(60 + rng.IntN(40))
	if scenario == "leak" {
		drop = 320
	}
	s.SetInput(scbaPressure, p) // the state at power-on, before any host polls
	do(2, func(c []bool, in []uint16) { c[scbaValve] = true })
	do(4, func(c []bool, in []uint16) { c[scbaValve] = false })
	do(64, func(c []bool, in []uint16) {
		in[scbaLeakDrop] = drop
		in[scbaLeakCount]++
		in[scbaPressure] = p - drop
	})
	do(66, func(c []bool, in []uint16) { c[scbaValve] = true })
	do(67, func(c []bool, in []uint16) { c[scbaValve] = false; in[scbaPressure] = 1500 })
	do(70, func(c []bool, in []uint16) {
		in[scbaPressure] = 560
		in[scbaAlarmMPa] = uint16(540 + rng.IntN(30))
		in[scbaAlarmCount]++
	})
	do(72, func(c []bool, in []uint16) { in[scbaPressure] = 0 })
	do(76, func(c []bool, in []uint16) { in[scbaSealOK] = 1; in[scbaSealCount]++ })
	if scenario != "valve-closed" {
		do(80, func(c []bool, in []uint16) { c[scbaValve] = true; in[scbaPressure] = p - drop - 40 })
	}
	do(84, func(c []bool, in []uint16) { c[scbaSupply] = true })
	for i := range 4 {
		lpm := uint16(380 + rng.IntN(70))
		if scenario == "valve-closed" {
			lpm = uint16(rng.IntN(5))
		}
		do(86+3*float64(i), func(c []bool, in []uint16) { in[scbaBreathLPM] = lpm; in[scbaBreathCount]++ })
	}
	return s, steps
}
