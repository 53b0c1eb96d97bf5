package hardware

import "context"

// Emit receives the readings of a device in order. A device calls it from
// the goroutine that runs Run, never concurrently, and the call must not
// block for long: a slow Emit delays the reads behind it.
type Emit func(Reading)

// Device is one piece of equipment attached to the station.
type Device interface {
	// Run reads the device until ctx ends, passing every reading to emit.
	// Connection changes are readings too: TypeConnected on the first
	// connection, TypeLost at once when the link fails and TypeBack when it
	// returns; Run keeps reconnecting until ctx ends. Run returns nil when
	// ctx ends and an error only when the device cannot be used at all (a
	// profile that does not fit, a path that is not a serial port).
	Run(ctx context.Context, emit Emit) error
	// Info returns the provenance known so far; some models report it on
	// the wire only after connecting.
	Info() Info
}
