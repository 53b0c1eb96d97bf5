package cpr

import "fmt"

// Event returns the vocabulary event type and fields for rec
// (standards/vocabulary.yaml, devices.cpr): cpr.compression, cpr.ventilation,
// cpr.sample, or device.status for a Status record.
func Event(rec Record) (string, map[string]any) {
	switch r := rec.(type) {
	case *Compression:
		return "cpr.compression", map[string]any{
			"depth_mm": int(r.DepthMM), "position": r.Position.String(), "recoil": r.Recoil}
	case *Ventilation:
		return "cpr.ventilation", map[string]any{
			"volume_ml": int(r.VolumeML), "airway_open": r.AirwayOpen, "gastric": r.Gastric}
	case *Sample:
		return "cpr.sample", map[string]any{"depth_mm": int(r.DepthMM)}
	case *Status:
		return "device.status", map[string]any{"kind": "cpr", "model": r.Model,
			"serial": r.Serial, "firmware": r.FirmwareString(), "battery_pct": int(r.BatteryPct)}
	}
	panic(fmt.Sprintf("cpr: Event of foreign record %T", rec))
}
