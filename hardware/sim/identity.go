package sim

import (
	"shicao/hardware/modbus/rtuslave"
)

// The provenance input registers of the Modbus trainers
// (hardware/profiles/scba.yaml and board.yaml): ASCII two characters per
// register, high byte first, NUL-padded.
const (
	identModel    = 100 // 8 registers, 16 characters
	identSerial   = 108 // 6 registers, 12 characters
	identFirmware = 114 // 4 registers, 8 characters
	identBattery  = 118 // percent
	identInputs   = 119 // the input bank a trainer needs
)

// setIdentity writes a trainer's provenance, which the station checks
// against the site's registered equipment (考培分离).
func setIdentity(s *rtuslave.Slave, model, serial, firmware string, batteryPct uint16) {
	s.Update(func(_ []bool, _, in []uint16) {
		putASCII(in[identModel:identSerial], model)
		putASCII(in[identSerial:identFirmware], serial)
		putASCII(in[identFirmware:identBattery], firmware)
		in[identBattery] = batteryPct
	})
}

// putASCII packs text into regs, truncating what does not fit.
func putASCII(regs []uint16, text string) {
	b := make([]byte, 2*len(regs))
	copy(b, text)
	for i := range regs {
		regs[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
}
