package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"shicao/cmd/shicao/internal/station"
	"shicao/hardware/escpos"
	"shicao/hardware/printer"
	examsync "shicao/sync"
)

// fakePrinter fails while unplugged and keeps the jobs it printed.
type fakePrinter struct {
	mu        sync.Mutex
	unplugged bool
	jobs      [][]byte
	tries     int
}

func (p *fakePrinter) Print(ctx context.Context, job []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries++
	if p.unplugged {
		return fmt.Errorf("%w: write /dev/ttyUSB0: input/output error", printer.ErrUnplugged)
	}
	p.jobs = append(p.jobs, append([]byte(nil), job...))
	return nil
}

// TestFlow_SlipQueuedAndReprinted: the exam finishes with the printer
// unplugged, the result screen says the slip is queued and why, and p
// prints it once the printer is back; the slip's QR code verifies with
// the station's key.
func TestFlow_SlipQueuedAndReprinted(t *testing.T) {
	t.Parallel()
	pr := &fakePrinter{unplugged: true}
	f := newFixtureConfig(t, "en", station.Config{Printer: pr})
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r")
	for i := 0; i < 4; i++ {
		f.do(t, "enter", "f", "y", "f5", "f6", "a") // the cursor moves on by itself
	}
	f.do(t, "f10")
	if f.m.screen != scrResult {
		t.Fatalf("no result screen after F10: screen %d, status %q", f.m.screen, f.m.status)
	}
	v := f.view(t, 120, 40)
	if pr.tries != 1 || !strings.Contains(v, "score slip not printed, queued (p to print): the printer is not connected") {
		t.Fatalf("after F10 with the printer unplugged: %d tries, view:\n%s", pr.tries, v)
	}
	if !strings.Contains(v, "p print slip") {
		t.Errorf("the help bar does not list p:\n%s", v)
	}
	queued, err := f.s.Store().QueuedSlips(context.Background())
	if err != nil || len(queued) != 1 || queued[0] != f.m.pages.result.saved.ID {
		t.Fatalf("queued slips = %v, %v; want the result's", queued, err)
	}

	pr.mu.Lock()
	pr.unplugged = false
	pr.mu.Unlock()
	f.do(t, "p")
	if v := f.view(t, 120, 40); !strings.Contains(v, "✓ score slip printed") {
		t.Fatalf("after p: view:\n%s", v)
	}
	if queued, _ := f.s.Store().QueuedSlips(context.Background()); len(queued) != 0 {
		t.Errorf("still queued after printing: %v", queued)
	}
	slips, _ := escpos.Parse(pr.jobs[0])
	if len(slips) != 1 || len(slips[0].QR) != 1 {
		t.Fatalf("printed %#v", slips)
	}
	text := slips[0].String()
	for _, want := range []string{"成绩单", "总分 Total " + f.m.pages.result.saved.Total.String(), "成绩编号 Result " + f.m.pages.result.saved.ID, "中心回执 未收到 receipt pending"} {
		if !strings.Contains(text, want) {
			t.Errorf("slip lacks %q:\n%s", want, text)
		}
	}
	pub, err := os.ReadFile(filepath.Join(template, station.PubFile))
	if err != nil {
		t.Fatal(err)
	}
	c, err := examsync.VerifySlip(slips[0].QR[0], []string{string(pub)})
	if err != nil || c.ID != f.m.pages.result.saved.ID {
		t.Errorf("the slip's QR code %q: %+v, %v", slips[0].QR[0], c, err)
	}
}
