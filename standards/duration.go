package standards

import "time"

// Duration is a YAML duration written as Go writes them ("5m", "60s", "1m30s").
type Duration time.Duration

// Millis returns d in milliseconds, the unit of the event log.
func (d Duration) Millis() int64 { return time.Duration(d).Milliseconds() }

func (d Duration) String() string { return time.Duration(d).String() }
