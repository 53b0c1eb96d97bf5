// Package rig runs the station's equipment: for each kind of device a
// driver (hardware/driver) on its serial port, and in the demo and tests a
// simulator (hardware/sim) speaking the real bytes on a pseudo-terminal
// behind it. It reports each device's state for the station's readiness
// checks and passes every reading on; it does not know the exam.
package rig

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
	"shicao/standards"
)

// Handler receives readings (connection changes included) from every
// device, each device's in order, on the rig's goroutines.
type Handler func(kind string, r hardware.Reading)

// Rig is the set of running devices.
type Rig struct {
	ctx     context.Context
	handler Handler
	dir     string
	speed   float64
	serials map[string]string

	mu    sync.Mutex
	slots map[string]*slot
	order []string
	wg    sync.WaitGroup
}

type slot struct {
	kind      string
	sim       *sim.Sim
	dev       hardware.Device
	path      string
	connected bool
	scenario  string
	unplugged bool
	// restarting: Play is swapping the simulator for a new scenario;
	// the port's loss and return meanwhile are the demo's doing, not a
	// cable's, and are not passed on (they put 0.0 s outages on sheets).
	restarting bool
	changed    chan struct{} // closed and replaced on every connection change
	// unmeasured is, per event type, the fields the profile declares
	// the device cannot measure: the station refuses an item whose
	// standard reads one.
	unmeasured map[string][]string
	last       time.Time // when the last reading arrived (Device.LastReading)
}

// Options tune a simulated rig.
type Options struct {
	Dir   string  // where the simulators' stable device links live
	Speed float64 // the simulators' clock multiplier (1: real time)
	// Serials gives the serial number of a device whose protocol does not
	// report one (the label on the device, entered by the technician).
	Serials map[string]string
}

// Simulated starts a simulator and its driver for each kind, playing each
// kind's first scenario. The drivers open the simulators' ports through
// go.bug.st/serial exactly as they open real ones.
func Simulated(ctx context.Context, kinds []string, opts Options, h Handler) (*Rig, error) {
	if opts.Dir == "" {
		d, err := os.MkdirTemp("", "shicao-rig-")
		if err != nil {
			return nil, err
		}
		opts.Dir = d
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	r := &Rig{ctx: ctx, handler: h, dir: opts.Dir, speed: opts.Speed, serials: opts.Serials, slots: map[string]*slot{}}
	for _, kind := range kinds {
		s := &slot{kind: kind, changed: make(chan struct{})}
		r.slots[kind] = s
		r.order = append(r.order, kind)
		scen := sim.Scenarios(hardware.Kind(kind))
		if len(scen) == 0 {
			return nil, fmt.Errorf("rig: no simulator for %s", kind)
		}
		if err := r.startSim(s, scen[0]); err != nil {
			return nil, err
		}
		if err := r.startDriver(s); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Port is one real device: its kind, its profile (an embedded name or a
// file) and its serial port.
type Port struct {
	Kind    string
	Profile string
	Path    string
}

// Real starts a driver for each configured device on its serial port.
func Real(ctx context.Context, ports []Port, h Handler) (*Rig, error) {
	r := &Rig{ctx: ctx, handler: h, slots: map[string]*slot{}}
	for _, pt := range ports {
		if _, dup := r.slots[pt.Kind]; dup {
			return nil, fmt.Errorf("rig: two devices of kind %s: one per kind", pt.Kind)
		}
		p, err := loadProfile(pt.Profile)
		if err != nil {
			return nil, fmt.Errorf("rig: %s: %w", pt.Kind, err)
		}
		if string(p.Kind) != pt.Kind {
			return nil, fmt.Errorf("rig: profile %s is for %s, not %s", pt.Profile, p.Kind, pt.Kind)
		}
		// A field neither mapped, constant, derived nor unmeasured would
		// give events a score refuses later: refuse the profile now.
		if err := p.Check(vocabulary()); err != nil {
			return nil, fmt.Errorf("rig: %s: %w", pt.Kind, err)
		}
		s := &slot{kind: pt.Kind, path: pt.Path, changed: make(chan struct{}), unmeasured: unmeasured(p)}
		r.slots[pt.Kind] = s
		r.order = append(r.order, pt.Kind)
		dev, err := driver.New(p, pt.Path, driver.Options{ID: pt.Kind + "-01"})
		if err != nil {
			return nil, fmt.Errorf("rig: %s driver: %w", pt.Kind, err)
		}
		s.dev = dev
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			_ = dev.Run(r.ctx, func(rd hardware.Reading) { r.on(s, rd) })
		}()
	}
	return r, nil
}

// unmeasured lists, per event type, the fields p cannot measure.
func unmeasured(p *profiles.Profile) map[string][]string {
	out := map[string][]string{}
	for typ := range standards.DefaultVocabulary().Types {
		if u := p.Unmeasured(typ); len(u) > 0 {
			out[typ] = u
		}
	}
	return out
}

// vocabulary is the embedded vocabulary in the shape Profile.Check takes.
func vocabulary() map[string]map[string]string {
	v := standards.DefaultVocabulary()
	out := make(map[string]map[string]string, len(v.Types))
	for name, t := range v.Types {
		fields := make(map[string]string, len(t.Fields))
		for _, f := range t.Fields {
			fields[f.Name] = string(f.Type)
		}
		out[name] = fields
	}
	return out
}

// loadProfile reads a profile and runs its captures (profiles.Parse): a
// profile whose captures fail is refused.
func loadProfile(name string) (*profiles.Profile, error) {
	if strings.HasSuffix(name, ".yaml") || strings.Contains(name, "/") {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		return profiles.Parse(name, b)
	}
	return profiles.Load(name)
}

func (r *Rig) startSim(s *slot, scenario string) error {
	dir := filepath.Join(r.dir, s.kind)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	sm, err := sim.Start(r.ctx, hardware.Kind(s.kind), scenario, sim.Options{Dir: dir, Speed: r.speed, Seed: 1})
	if err != nil {
		return fmt.Errorf("rig: %s simulator: %w", s.kind, err)
	}
	r.mu.Lock()
	s.sim, s.path, s.scenario = sm, sm.Path(), scenario
	r.mu.Unlock()
	return nil
}

func (r *Rig) startDriver(s *slot) error {
	p, err := profiles.ForKind(hardware.Kind(s.kind))
	if err != nil {
		return fmt.Errorf("rig: %s profile: %w", s.kind, err)
	}
	dev, err := driver.New(p, s.path, driver.Options{ID: s.kind + "-01", MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		return fmt.Errorf("rig: %s driver: %w", s.kind, err)
	}
	s.dev = dev
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		_ = dev.Run(r.ctx, func(rd hardware.Reading) { r.on(s, rd) })
	}()
	return nil
}

func (r *Rig) on(s *slot, rd hardware.Reading) {
	switch rd.Type {
	case hardware.TypeConnected, hardware.TypeBack, hardware.TypeLost:
		r.mu.Lock()
		s.connected = rd.Type != hardware.TypeLost
		close(s.changed)
		s.changed = make(chan struct{})
		quiet := s.restarting
		if rd.Type != hardware.TypeLost {
			s.restarting = false
		}
		r.mu.Unlock()
		if quiet {
			return
		}
	case hardware.TypeStatus:
	default:
		r.mu.Lock()
		s.last = time.Now()
		r.mu.Unlock()
	}
	if r.handler != nil {
		r.handler(s.kind, rd)
	}
}

// portErrorer is a driver that says why its port cannot be used
// (driver's devices do: a port not found, not a serial port).
type portErrorer interface{ PortError() error }

// Devices reports every device's state, for the station's checks: a port
// that is not there is PortErr (not found), apart from a device that is
// only disconnected.
func (r *Rig) Devices() []station.Device {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]station.Device, 0, len(r.order))
	for _, k := range r.order {
		s := r.slots[k]
		info := hardware.Info{}
		if s.dev != nil {
			info = s.dev.Info()
		}
		if info.Serial == "" {
			info.Serial = r.serials[k]
		}
		var portErr error
		if pe, ok := s.dev.(portErrorer); ok {
			portErr = pe.PortError()
		}
		out = append(out, station.Device{Kind: k, Port: s.path, Model: info.Model, Serial: info.Serial, Firmware: info.Firmware, Connected: s.connected, PortErr: portErr, Unmeasured: s.unmeasured, LastReading: s.last})
	}
	return out
}

// Scenarios lists a simulated device's scenarios (none for real ones).
func (r *Rig) Scenarios(kind string) []string {
	r.mu.Lock()
	s := r.slots[kind]
	r.mu.Unlock()
	if s == nil || s.sim == nil {
		return nil
	}
	return sim.Scenarios(hardware.Kind(kind))
}

// Play restarts a device's simulator on a scenario, from its beginning,
// and returns once the driver has the device back (or after 5 s).
func (r *Rig) Play(kind, scenario string) error {
	r.mu.Lock()
	s := r.slots[kind]
	r.mu.Unlock()
	if s == nil || s.sim == nil {
		return fmt.Errorf("no simulated %s device", kind)
	}
	r.mu.Lock()
	old := s.sim
	// The driver has not seen the old port go yet: wait for it to lose
	// it and come back on the new one.
	s.connected, s.restarting = false, true
	r.mu.Unlock()
	old.Close()
	err := r.startSim(s, scenario)
	if err == nil {
		err = r.waitConnected(s, 10*time.Second)
	}
	if err != nil { // the next loss is a real one
		r.mu.Lock()
		s.restarting = false
		r.mu.Unlock()
	}
	return err
}

func (r *Rig) waitConnected(s *slot, limit time.Duration) error {
	deadline := time.After(limit)
	for {
		r.mu.Lock()
		ok, ch := s.connected, s.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-deadline:
			return fmt.Errorf("%s did not come back within %s", s.kind, limit)
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
	}
}

// Settle waits until the simulated device of kind has played its scenario
// and has nothing more to send (sim.Sim.Settle): for a Modbus trainer, the
// driver has passed on every change; a streaming device's bytes are
// written, perhaps not yet read. It reports false at once for a kind that
// is not simulated, and returns ctx's error if ctx ends first.
func (r *Rig) Settle(ctx context.Context, kind string) (simulated bool, err error) {
	r.mu.Lock()
	s := r.slots[kind]
	var sm *sim.Sim
	if s != nil {
		sm = s.sim
	}
	r.mu.Unlock()
	if sm == nil {
		return false, nil
	}
	return true, sm.Settle(ctx)
}

// Unplug pulls a simulated device's cable out, or plugs it back in.
func (r *Rig) Unplug(kind string) error {
	r.mu.Lock()
	s := r.slots[kind]
	r.mu.Unlock()
	if s == nil || s.sim == nil {
		return fmt.Errorf("no simulated %s device: pull the real cable", kind)
	}
	r.mu.Lock()
	s.unplugged = !s.unplugged
	unplug, sm := s.unplugged, s.sim
	r.mu.Unlock()
	if unplug {
		sm.Unplug()
		return nil
	}
	return sm.Plug()
}

// Wait waits for the drivers to stop (after the rig's context ends) and
// closes the simulators.
func (r *Rig) Wait() {
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.slots {
		if s.sim != nil {
			s.sim.Close()
		}
	}
}

// Power grants (or withdraws) the examiner-gated power of a device that
// has it (the wiring board's contactor enable coil).
func (r *Rig) Power(kind string, on bool) error {
	r.mu.Lock()
	s := r.slots[kind]
	r.mu.Unlock()
	if s == nil {
		return fmt.Errorf("no %s device", kind)
	}
	m, ok := s.dev.(*driver.Modbus)
	if !ok {
		return fmt.Errorf("the %s device has no examiner-gated power", kind)
	}
	// The link may be reconnecting (a re-plugged device): try for a while.
	ctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
	defer cancel()
	for {
		err := m.Set(ctx, "power_enable", on)
		if err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}
