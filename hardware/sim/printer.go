package sim

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"

	"shicao/hardware"
	"shicao/hardware/escpos"
)

// The printer's scenarios: good prints everything; paper-out has no paper
// (it answers DLE EOT 4 with paper end and prints nothing) until SetPaper;
// unplug-mid pulls its own cable when the first slip's QR code arrives,
// mid-slip, and stays out until Plug, then prints as good does.
func init() {
	scenarios[hardware.KindPrinter] = []string{"good", "paper-out", "unplug-mid"}
}

// Printer is a simulated ESC/POS receipt printer on a pseudo-terminal: it
// parses what the host writes (hardware/escpos), renders each slip (text
// decoded from GB18030, the QR codes' stored payloads) and answers the
// real-time status requests (DLE EOT n).
type Printer struct {
	scenario string
	wire     *wire
	tmpDir   string
	onSlip   func(escpos.Slip)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	paperOut bool
	pulled   bool // unplug-mid has pulled its cable once
	parser   escpos.Parser
	render   escpos.Renderer
	slips    []escpos.Slip
	changed  chan struct{} // closed and replaced when a slip is cut
}

// PrinterOptions tune a simulated printer.
type PrinterOptions struct {
	// Dir holds the stable symlink, Dir/tty; a new temporary directory if
	// empty, removed by Close.
	Dir string
	// OnSlip, if set, is called with each slip once it is cut, on the
	// simulator's goroutine.
	OnSlip func(escpos.Slip)
}

// StartPrinter starts a simulated printer playing scenario ("" for good)
// and returns once its pseudo-terminal exists. It returns an error for an
// unknown scenario.
func StartPrinter(ctx context.Context, scenario string, opts PrinterOptions) (*Printer, error) {
	names := scenarios[hardware.KindPrinter]
	if scenario == "" {
		scenario = names[0]
	}
	if !slices.Contains(names, scenario) {
		return nil, fmt.Errorf("start printer simulator: unknown scenario %q (have %v)", scenario, names)
	}
	p := &Printer{scenario: scenario, onSlip: opts.OnSlip, paperOut: scenario == "paper-out", changed: make(chan struct{})}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "shicao-sim-"); err != nil {
			return nil, fmt.Errorf("start printer simulator: %w", err)
		}
		p.tmpDir = dir
	}
	w, err := newWire(dir)
	if err != nil {
		p.removeTmp()
		return nil, fmt.Errorf("start printer simulator: %w", err)
	}
	p.wire = w
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.run(p.ctx)
	}()
	return p, nil
}

// Path returns the stable path of the printer, absent while unplugged.
func (p *Printer) Path() string { return p.wire.link }

// Scenario returns the scenario played.
func (p *Printer) Scenario() string { p.mu.Lock(); defer p.mu.Unlock(); return p.scenario }

// Unplug pulls the printer's cable out: what the host writes next fails.
// The slip being printed is lost, as on paper: half a slip.
func (p *Printer) Unplug() { p.wire.unplug() }

// Plugged reports whether the cable is in (unplug-mid pulls it itself).
func (p *Printer) Plugged() bool {
	m, _ := p.wire.current()
	return m != nil
}

// Plug puts the cable back.
func (p *Printer) Plug() error {
	p.mu.Lock()
	p.parser, p.render = escpos.Parser{}, escpos.Renderer{} // a new connection starts clean
	p.mu.Unlock()
	return p.wire.plug()
}

// Play switches to scenario from now on: paper-out takes the paper out,
// good loads it, unplug-mid pulls the cable at the next slip's QR code.
// It returns an error for an unknown scenario.
func (p *Printer) Play(scenario string) error {
	if !slices.Contains(scenarios[hardware.KindPrinter], scenario) {
		return fmt.Errorf("printer simulator: unknown scenario %q (have %v)", scenario, scenarios[hardware.KindPrinter])
	}
	p.mu.Lock()
	p.scenario, p.paperOut, p.pulled = scenario, scenario == "paper-out", false
	p.mu.Unlock()
	return nil
}

// SetPaper loads paper (true) or takes it out.
func (p *Printer) SetPaper(in bool) {
	p.mu.Lock()
	p.paperOut = !in
	p.mu.Unlock()
}

// Slips returns every slip printed and cut so far.
func (p *Printer) Slips() []escpos.Slip {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.slips)
}

// WaitSlips waits until n slips have been cut and returns them, or
// returns ctx's error.
func (p *Printer) WaitSlips(ctx context.Context, n int) ([]escpos.Slip, error) {
	for {
		p.mu.Lock()
		got, ch := len(p.slips), p.changed
		p.mu.Unlock()
		if got >= n {
			return p.Slips(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("printer: %d of %d slips: %w", got, n, ctx.Err())
		}
	}
}

// Close stops the simulator, closes its pseudo-terminal and removes the
// temporary directory it made.
func (p *Printer) Close() error {
	p.cancel()
	p.wire.unplug()
	p.wg.Wait()
	return p.removeTmp()
}

func (p *Printer) removeTmp() error {
	if p.tmpDir == "" {
		return nil
	}
	return os.RemoveAll(p.tmpDir)
}

// run reads the wire while the simulator lives, across plugs and unplugs.
func (p *Printer) run(ctx context.Context) {
	buf := make([]byte, 512)
	for ctx.Err() == nil {
		m, changed := p.wire.current()
		if m == nil {
			select {
			case <-changed:
			case <-ctx.Done():
			}
			continue
		}
		n, err := m.Read(buf)
		if n > 0 {
			p.feed(buf[:n])
		}
		if err != nil {
			// Unplugged (the master closed) or an I/O error: wait for the
			// next plug rather than spin.
			select {
			case <-changed:
			case <-ctx.Done():
			}
		}
	}
}

// feed parses bytes as they arrive, answering status requests at once.
func (p *Printer) feed(b []byte) {
	p.mu.Lock()
	p.parser.Write(b)
	var answers []byte
	var cut []escpos.Slip
	var unplug bool
	for !unplug {
		c, ok := p.parser.Next()
		if !ok {
			break
		}
		switch {
		case c.Op == escpos.OpStatus:
			answers = append(answers, p.answer(c.N))
		case p.paperOut:
			// No paper: the printer is offline and prints nothing.
		case c.Op == escpos.OpQR && c.Fn == 80 && p.scenario == "unplug-mid" && !p.pulled:
			p.pulled, unplug = true, true
		default:
			p.render.Add(c)
			if c.Op == escpos.OpCut {
				cut = append(cut, p.render.Slips()...)
			}
		}
	}
	if len(cut) > 0 {
		p.slips = append(p.slips, cut...)
		close(p.changed)
		p.changed = make(chan struct{})
	}
	p.mu.Unlock()
	if unplug {
		p.wire.unplug()
		return
	}
	if len(answers) > 0 {
		_ = p.wire.write(answers) // unplugged meanwhile: the host's read fails
	}
	if p.onSlip != nil {
		for _, s := range cut {
			p.onSlip(s)
		}
	}
}

// answer is the status byte for DLE EOT n.
func (p *Printer) answer(n byte) byte {
	switch n {
	case escpos.StatusPrinter:
		return escpos.PrinterAnswer(p.paperOut)
	case escpos.StatusOffline:
		return escpos.OfflineAnswer(p.paperOut)
	case escpos.StatusPaper:
		return escpos.PaperAnswer(escpos.PaperStatus{End: p.paperOut})
	}
	return escpos.PrinterAnswer(false) & 0x12 // DLE EOT 3: no error
}
