package tui

import (
	"time"

	"shicao/cmd/shicao/internal/station"
)

// Equipment is what the TUI needs of the station's devices: their state
// for the start and readiness screens, and (in the demo) control of the
// simulators. Readings themselves arrive as ReadingMsg and DeviceStateMsg.
type Equipment interface {
	Devices() []station.Device
	// Scenarios lists a simulated device's scenarios (nil for real ones).
	Scenarios(kind string) []string
	// Play restarts a simulated device on a scenario.
	Play(kind, scenario string) error
	// Unplug pulls a simulated device out, or plugs it back.
	Unplug(kind string) error
	// Power grants or withdraws a device's examiner-gated power.
	Power(kind string, on bool) error
}

// SyncStatus is the centre link as the start and outbox screens show it.
type SyncStatus interface {
	Online() bool
	LastSync() time.Time
	RetryNow()
}

// Deps is what the TUI drives.
type Deps struct {
	Station   *station.Station
	Equipment Equipment
	Sync      SyncStatus // optional
	// The station tells the equipment wiring which item readings belong
	// to (station.Config.Live); readings are recorded by the wiring, not
	// by the TUI.
	//
	// Now is the exam clock (the rate of compressions, the examiners'
	// timer); the title shows the station's wall clock.
	Now  func() time.Time
	Lang string
	// DemoHint and DemoDir are shown on every screen of the demo: its
	// examiners' PINs and the data directory it keeps.
	DemoHint string
	DemoDir  string
	// DemoConsole is the demo centre's console address and staff account,
	// shown on the start screen: printed before the TUI took the terminal,
	// it would be out of a newcomer's sight.
	DemoConsole string
	// Drill opens the calibration drill screen instead of the exam's
	// (screen_drill.go, shicao station drill mark).
	Drill bool
	// Card reads the candidate's ID card on the station's reader (nil: no
	// reader; the examiners check the card by eye, or take the number by
	// hand with a reason).
	Card station.CardRead
	// CardScenario, in the demo, sets what the simulated reader holds
	// (sim.Scenarios(hardware.KindIDCard)): F2 on the identity screen
	// cycles through them. nil for a real reader.
	CardScenario func(name string) error
	// HandCard, in the demo, puts the chosen candidate's own card on the
	// simulated reader as their identity check opens, so that every
	// candidate of the demo plan can be read (nil for a real reader).
	HandCard func(name, idNumber string) error
	// Seed, if set, is the draw's seed (tests; a real draw is random).
	Seed string
}

// ReadingMsg is a device reading, for the device panel.
type ReadingMsg struct {
	Kind   string
	Type   string
	Fields map[string]any
}

// DeviceStateMsg is a device connecting, being lost or coming back.
type DeviceStateMsg struct {
	Kind  string
	State string // connected | lost | back
}
