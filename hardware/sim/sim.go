package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"shicao/hardware"
	"shicao/hardware/idcard"
	"shicao/hardware/modbus/rtuslave"
)

// Options tune a simulator. The zero value plays in real time, without
// noise, seed 0, in a new temporary directory.
type Options struct {
	Seed uint64
	// Speed multiplies the clock: 100 plays a five-minute exam in three
	// seconds. Records keep their device time, so a driver that reads the
	// device clock sees the real intervals. Zero means 1.
	Speed float64
	// Noise is the chance, per record, of a burst of 1 to 32 random bytes
	// before it (streaming kinds), or per response, of one flipped bit
	// (Modbus kinds).
	Noise float64
	// Dir holds the stable symlink, Dir/tty: one simulator per directory.
	// A new temporary directory if empty, removed by Close.
	Dir string
	// Card is the card the ID-card reader holds (KindIDCard); DemoCard if nil.
	Card *idcard.Card
}

// Scenarios returns the scenarios of kind, the default first.
func Scenarios(kind hardware.Kind) []string {
	return slices.Clone(scenarios[kind])
}

var scenarios = map[hardware.Kind][]string{
	hardware.KindCPR:          {"good", "shallow", "slow", "no-recoil", "four-cycles", "gauge"},
	hardware.KindExtinguisher: {"good", "wrong-distance", "water-on-electrical"},
	hardware.KindSCBA:         {"good", "leak", "valve-closed"},
	hardware.KindBoard:        {"correct", "three-swapped", "short-circuit"},
	hardware.KindPPE:          {"good", "missing-gloves"},
	hardware.KindHarness:      {"good", "hook-low"},
	hardware.KindIDCard:       {"present", "absent", "unreadable", "expired"},
}

// step is one moment of a scenario at device time at: bytes to send for a
// streaming kind, a change to the registers for a Modbus kind.
type step struct {
	at    time.Duration
	data  []byte
	apply func(*rtuslave.Slave)
}

// Sim is a running simulator.
type Sim struct {
	kind     hardware.Kind
	scenario string
	speed    float64
	noise    float64
	rng      *rand.Rand // noise only: the script has its own
	wire     *wire
	tmpDir   string

	steps     []step
	onConnect func(at time.Duration) []byte // streaming: the status record sent whenever a host opens
	slave     *rtuslave.Slave               // Modbus kinds
	server    server                        // request-response kinds: the Modbus slave, the ID-card module

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	done   chan struct{}

	// writeMu keeps Unplug from cutting the line between a write and
	// the host's reading it.
	writeMu sync.Mutex
	// changeMu makes each change to a Modbus slave wait for the host to
	// have read the one before (see change).
	changeMu sync.Mutex

	mu      sync.Mutex
	played  int
	pending int           // reactions scheduled by after, not yet run
	idle    chan struct{} // closed while pending is zero
}

// Start starts the simulator of kind playing scenario ("" for the
// default) and returns once its pseudo-terminal exists. The scenario
// begins when a host opens Path (a Modbus trainer's, once the host has
// polled it) and pauses while none has it open. A trainer never changes a
// register again before the host has polled the last change (see change):
// a slow host slows the scenario down rather than missing an event. It
// returns an error for an unknown kind or scenario.
func Start(ctx context.Context, kind hardware.Kind, scenario string, opts Options) (*Sim, error) {
	names, ok := scenarios[kind]
	if kind == hardware.KindPrinter {
		return nil, errors.New("start simulator: the printer is output only: use StartPrinter")
	}
	if !ok {
		return nil, fmt.Errorf("start simulator: unknown kind %q", kind)
	}
	if scenario == "" {
		scenario = names[0]
	}
	if !slices.Contains(names, scenario) {
		return nil, fmt.Errorf("start %s simulator: unknown scenario %q (have %v)", kind, scenario, names)
	}
	s := &Sim{kind: kind, scenario: scenario, speed: opts.Speed, noise: opts.Noise,
		rng: rand.New(rand.NewPCG(opts.Seed, 0x5e1)), done: make(chan struct{}), idle: make(chan struct{})}
	close(s.idle)
	script := rand.New(rand.NewPCG(opts.Seed, 0xc0de))
	switch kind {
	case hardware.KindCPR:
		s.steps, s.onConnect = cprScript(scenario, script)
	case hardware.KindExtinguisher, hardware.KindPPE, hardware.KindHarness:
		s.steps, s.onConnect = lineScript(kind, scenario, script)
	case hardware.KindSCBA:
		s.slave, s.steps = scbaScript(scenario, script)
	case hardware.KindBoard:
		s.slave, s.steps = boardScript(s, scenario, script)
	case hardware.KindIDCard:
		s.server = newCardModule(scenario, opts.Card)
	}
	if s.slave != nil {
		s.server = s.slave
	}
	if s.slave != nil {
		// A change is seen once polled three times: a host that timed out
		// on a response (a loaded machine) dropped it, and three timeouts
		// in a row are what a driver takes for a lost device.
		s.slave.Confirm(3)
	}
	return s.start(ctx, opts)
}

// start makes the pseudo-terminal and starts playing.
func (s *Sim) start(ctx context.Context, opts Options) (*Sim, error) {
	if s.speed <= 0 {
		s.speed = 1
	}
	kind := s.kind
	if s.slave != nil && s.noise > 0 {
		rng := rand.New(rand.NewPCG(opts.Seed, 0xb17)) // used under the slave's lock only
		s.slave.OnResponse(func(resp []byte) []byte {
			if rng.Float64() < s.noise {
				resp[rng.IntN(len(resp))] ^= 1 << rng.IntN(8)
			}
			return resp
		})
	}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "shicao-sim-"); err != nil {
			return nil, fmt.Errorf("start %s simulator: %w", kind, err)
		}
		s.tmpDir = dir
	}
	w, err := newWire(dir)
	if err != nil {
		s.removeTmp()
		return nil, fmt.Errorf("start %s simulator: %w", kind, err)
	}
	s.wire = w
	s.ctx, s.cancel = context.WithCancel(ctx)
	ctx = s.ctx
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.play(ctx)
	}()
	if s.server != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(ctx)
		}()
	}
	return s, nil
}

// Path returns the stable path of the device: a symlink to the current
// pseudo-terminal, absent while unplugged.
func (s *Sim) Path() string { return s.wire.link }

// Kind returns the kind simulated.
func (s *Sim) Kind() hardware.Kind { return s.kind }

// Scenario returns the scenario played.
func (s *Sim) Scenario() string { return s.scenario }

// Done is closed when the scenario has played to its end. The simulator
// keeps its port (and a Modbus slave keeps answering) until Close.
func (s *Sim) Done() <-chan struct{} { return s.done }

// Settle waits until the simulator has nothing more to say: its scenario
// has played to the end (Done), no reaction to the host is pending (the
// board's trial run after power is granted), and, for a Modbus trainer,
// the host has read every change and polled once more since, so a driver
// has passed on all of it. A streaming device's bytes are then written,
// not necessarily read yet. Settle returns ctx's error if ctx ends first.
func (s *Sim) Settle(ctx context.Context) error {
	for {
		select {
		case <-s.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
		idle := s.idle
		s.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
		if s.slave == nil {
			return nil
		}
		select {
		case <-s.slave.Seen():
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-s.slave.Polled():
		case <-ctx.Done():
			return ctx.Err()
		}
		// A write by the host meanwhile may have scheduled a reaction.
		s.mu.Lock()
		again := s.pending > 0
		s.mu.Unlock()
		select {
		case <-s.slave.Seen():
			if !again {
				return nil
			}
		default:
		}
	}
}

// Played returns how many steps of the scenario have been sent.
func (s *Sim) Played() int { s.mu.Lock(); defer s.mu.Unlock(); return s.played }

// Steps returns how many steps the scenario has.
func (s *Sim) Steps() int { return len(s.steps) }

// Unplug closes the pseudo-terminal and removes Path, as pulling the cable
// does; the scenario pauses.
//
// A streaming device's cable is pulled between frames the host has read
// (as long as it keeps reading): a test that unplugs at some step of its
// own then loses no record to how far behind a loaded machine left the
// host.
func (s *Sim) Unplug() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.slave == nil {
		s.wire.drain()
	}
	s.wire.unplug()
}

// Plug makes a new pseudo-terminal and points Path at it.
func (s *Sim) Plug() error { return s.wire.plug() }

// Close stops the simulator, closes its pseudo-terminal and removes the
// temporary directory it made.
func (s *Sim) Close() error {
	s.cancel()
	s.wire.unplug()
	s.wg.Wait()
	return s.removeTmp()
}

func (s *Sim) removeTmp() error {
	if s.tmpDir == "" {
		return nil
	}
	return os.RemoveAll(s.tmpDir)
}

// waitHost waits until a host has the port open, polling: there is no
// event for it. It reports false when ctx ends.
func (s *Sim) waitHost(ctx context.Context) bool {
	for !s.wire.hostOpen() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
	return true
}

// play runs the scenario's timeline. Device time advances only while a
// host has the port open, so a test that unplugs and replugs loses nothing
// it could count. A streaming device announces itself (its status record)
// each time a host opens a new connection, before and after the scenario
// has ended.
func (s *Sim) play(ctx context.Context) {
	// A streaming device reports its status every second as well as on
	// connect (see status).
	pl := &player{s: s, ctx: ctx, rest: time.Now()}
	for i := 0; i < len(s.steps); {
		if !pl.connected() {
			return
		}
		pl.status()
		next, ok := pl.step(i)
		if !ok {
			return
		}
		i = next
	}
	close(s.done)
	for pl.connected() {
		pl.status()
		if !sleep(ctx, 5*time.Millisecond) {
			return
		}
	}
}

// player is the state of play: device time, the wall time it is counted
// from, and the connection last greeted.
type player struct {
	s        *Sim
	ctx      context.Context
	dev      time.Duration // device time reached
	anchor   time.Time     // wall time at which device time was zero
	anchored bool
	greeted  <-chan struct{} // the wire generation last greeted
	rest     time.Time       // when the status was last sent
}

func (pl *player) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / pl.s.speed)
}

// connected waits for a host and greets it once per connection. It
// reports false when ctx ends.
func (pl *player) connected() bool {
	s := pl.s
	if !s.wire.hostOpen() {
		pl.anchored, pl.greeted = false, nil
		if !s.waitHost(pl.ctx) {
			return false
		}
	}
	_, gen := s.wire.current()
	if pl.greeted != gen {
		pl.greeted = gen
		if s.onConnect != nil {
			s.write(s.onConnect(pl.dev))
		}
		// A trainer's host learns its state from its first whole poll
		// of a connection (a counter moved before it is not an event to
		// it): the scenario goes on once the host has polled.
		if s.slave != nil && !s.hostPolled(pl.ctx) {
			return false
		}
	}
	if !pl.anchored {
		pl.anchor, pl.anchored = time.Now().Add(-pl.scale(pl.dev)), true
	}
	return true
}

// status sends a streaming device's status when a second has passed
// since the last: a host still hears who it is when the greeting fell
// between its taking the port and its flushing the input
// (serialport.Open), a gap a loaded machine widens.
func (pl *player) status() {
	s := pl.s
	if s.onConnect != nil && time.Since(pl.rest) >= pl.scale(time.Second) {
		s.write(s.onConnect(pl.dev))
		pl.rest = time.Now()
	}
}

// step plays step i when its time has come. It returns the step to play
// next (i again when it waited or must retry) and false when ctx ended.
func (pl *player) step(i int) (int, bool) {
	s, ctx := pl.s, pl.ctx
	// A trainer's device time stands still until the host has read its
	// last change (see change): a host that falls behind slows the
	// scenario down, keeping its intervals, instead of missing an event.
	if s.slave != nil {
		select {
		case <-s.slave.Seen():
		default:
			if !s.waitSeen(ctx) {
				return i, false
			}
			pl.anchored = false
			return i, true
		}
	}
	// Sleep in short slices so a host that closes is noticed.
	if wait := time.Until(pl.anchor.Add(pl.scale(s.steps[i].at))); wait > 0 {
		if !sleep(ctx, min(wait, 20*time.Millisecond)) {
			return i, false
		}
		if wait > 20*time.Millisecond {
			// Not past the step waited for: a sleep that overran (a
			// loaded machine) must not date a status after it.
			pl.dev = max(pl.dev, min(s.steps[i].at, time.Duration(float64(time.Since(pl.anchor))*s.speed)))
			return i, true
		}
	}
	st := s.steps[i]
	if st.apply != nil {
		if !s.change(ctx, st.apply) {
			return i, false
		}
	} else if err := s.write(s.withNoise(st.data)); err != nil {
		pl.anchored = false
		if !sleep(ctx, 2*time.Millisecond) { // unplugged: retry this step after the plug
			return i, false
		}
		return i, true
	}
	pl.dev = st.at
	i++
	s.mu.Lock()
	s.played = i
	s.mu.Unlock()
	return i, true
}

// write writes p to the line, never while Unplug is pulling it.
func (s *Sim) write(p []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.wire.write(p)
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Sim) withNoise(p []byte) []byte {
	if s.noise <= 0 || s.rng.Float64() >= s.noise {
		return p
	}
	g := make([]byte, 1+s.rng.IntN(32))
	for i := range g {
		g[i] = byte(s.rng.Uint32())
	}
	return append(g, p...)
}

// server answers requests on a transport until ctx ends or it fails.
type server interface {
	Serve(ctx context.Context, rw io.ReadWriter) error
}

// serve runs the request-response server (the Modbus slave, the ID-card
// module) on each pseudo-terminal in turn.
func (s *Sim) serve(ctx context.Context) {
	for ctx.Err() == nil {
		m, changed := s.wire.current()
		if m == nil {
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
			continue
		}
		err := s.server.Serve(ctx, m)
		if err != nil && !errors.Is(err, os.ErrClosed) {
			// EIO while no host has the terminal open: wait a little.
			select {
			case <-ctx.Done():
				return
			case <-changed:
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// hostPolled waits until the host has made a request and then twice as
// many as it has distinct reads (a whole poll, whatever its first request
// was). It reports false when ctx ends.
func (s *Sim) hostPolled(ctx context.Context) bool {
	for s.slave.Requests() == 0 {
		if !sleep(ctx, 2*time.Millisecond) {
			return false
		}
	}
	for range 2 {
		select {
		case <-s.slave.Polled():
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// waitSeen waits, in short slices so that the caller notices a host that
// closes, until the host has read the slave's last change. It reports
// false when ctx ends.
func (s *Sim) waitSeen(ctx context.Context) bool {
	select {
	case <-s.slave.Seen():
		return true
	case <-ctx.Done():
		return false
	case <-time.After(20 * time.Millisecond):
		return true
	}
}

// change applies f to a trainer's registers once the host has read the
// last change: never two changes between two polls, so no counter moves
// twice unseen however slow the host (a loaded machine, an accelerated
// clock). A real trainer does not wait; this one is the station's test
// equipment, which must not lose what it plays. It reports false when ctx
// ends first.
func (s *Sim) change(ctx context.Context, f func(*rtuslave.Slave)) bool {
	s.changeMu.Lock()
	defer s.changeMu.Unlock()
	select {
	case <-s.slave.Seen():
	case <-ctx.Done():
		return false
	}
	f(s.slave)
	return true
}

// after changes the trainer's registers with f after d on the simulator's
// clock (through change), unless the simulator is closed first. Settle
// waits for it.
func (s *Sim) after(d time.Duration, f func(*rtuslave.Slave)) {
	s.mu.Lock()
	if s.pending == 0 {
		s.idle = make(chan struct{})
	}
	s.pending++
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			if s.pending--; s.pending == 0 {
				close(s.idle)
			}
			s.mu.Unlock()
		}()
		t := time.NewTimer(time.Duration(float64(d) / s.speed))
		defer t.Stop()
		select {
		case <-t.C:
			s.change(s.ctx, f)
		case <-s.ctx.Done():
		}
	}()
}

// Run starts the simulator of kind playing scenario, calls ready with the
// device path for a driver (or a person) to open, and keeps it running
// until ctx ends: `shicao sim` in one call. It returns Start's error, or
// Close's.
func Run(ctx context.Context, kind hardware.Kind, scenario string, opts Options, ready func(path string)) error {
	s, err := Start(ctx, kind, scenario, opts)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(s.Path())
	}
	<-ctx.Done()
	if err := s.Close(); err != nil {
		return fmt.Errorf("stop %s simulator: %w", kind, err)
	}
	return nil
}
