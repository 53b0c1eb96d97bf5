package serialport

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"go.uber.org/goleak"
)

var mode = Mode{Baud: 9600, DataBits: 8, Parity: "none", StopBits: 1}

// plugged is a pseudo-terminal behind a stable symlink, like a USB adapter
// behind its /dev/serial/by-id name.
type plugged struct {
	link          string
	master, slave *os.File
}

func plug(t *testing.T, link string) *plugged {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	tmp := link + ".new"
	if err := os.Symlink(s.Name(), tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
	return &plugged{link: link, master: m, slave: s}
}

func (p *plugged) unplug() {
	os.Remove(p.link)
	p.master.Close()
	p.slave.Close()
}

func TestOpen_Errors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "file")
	os.WriteFile(regular, []byte("x"), 0o600)
	tests := []struct {
		name, path string
		want       error
	}{
		{"ErrNotFound", filepath.Join(dir, "absent"), ErrNotFound},
		{"ErrNotSerial", regular, ErrNotSerial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(tt.path, mode, 0)
			if !errors.Is(err, tt.want) {
				t.Errorf("Open(%s) = %v, want %v", tt.path, err, tt.want)
			}
		})
	}
	// The typed error names the path and tells a missing port from one
	// that is there but is not a serial device.
	for _, tt := range []struct {
		path     string
		notFound bool
	}{{filepath.Join(dir, "absent"), true}, {regular, false}, {"/dev/null", false}} {
		_, err := Open(tt.path, mode, 0)
		var oe *OpenError
		if !errors.As(err, &oe) || oe.Path != tt.path || oe.NotFound() != tt.notFound {
			t.Errorf("Open(%s) = %v (%T); want an *OpenError for the path with NotFound %v", tt.path, err, err, tt.notFound)
		}
	}
	if _, err := Open(regular, Mode{Baud: 9600, DataBits: 8, Parity: "odd-ish", StopBits: 1}, 0); err == nil {
		t.Error("a bad parity accepted")
	}
}

func TestPort_ReadTimeout(t *testing.T) {
	p := plug(t, filepath.Join(t.TempDir(), "tty"))
	defer p.unplug()
	port, err := Open(p.link, mode, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	buf := make([]byte, 8)
	start := time.Now()
	n, err := port.Read(buf)
	if n != 0 || err != nil {
		t.Fatalf("Read with nothing sent = %d, %v; want (0, nil) after the timeout", n, err)
	}
	// At least the timeout; at most is not for a test to say: on a loaded
	// machine a timer fires late. A Read that ignored the timeout would
	// never return, and the test would end at its deadline.
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("Read returned after %v, want the 20ms timeout", d)
	}
	p.master.Write([]byte{0x55, 0xAA, 0x00, 0xFF})
	if n, err := io.ReadAtLeast(port, buf, 4); n != 4 || err != nil || buf[3] != 0xFF {
		t.Errorf("read % x, %v; want the raw bytes", buf[:n], err)
	}
}

func TestStableName(t *testing.T) {
	dir := t.TempDir()
	p := plug(t, filepath.Join(dir, "usb-SHICAO_CPR_SIM0001-if00-port0"))
	defer p.unplug()
	if got := stableName(dir, p.slave.Name()); got != p.link {
		t.Errorf("stableName(%s) = %s, want %s", p.slave.Name(), got, p.link)
	}
	if got := stableName(dir, "/dev/null"); got != "/dev/null" {
		t.Errorf("stableName of a device without a link = %s", got)
	}
	if dev, err := Resolve(p.link); err != nil || dev != p.slave.Name() {
		t.Errorf("Resolve = %s, %v; want %s", dev, err, p.slave.Name())
	}
	if _, err := Resolve(filepath.Join(dir, "gone")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Resolve(gone) = %v, want ErrNotFound", err)
	}
}

type states struct {
	mu sync.Mutex
	s  []State
	at []time.Time
}

func (s *states) add(st State, _ error) {
	s.mu.Lock()
	s.s = append(s.s, st)
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

// wait waits for n states, until shortly before the test's deadline (a
// wait for an event, not a time budget: a loaded machine is only slower).
func (s *states) wait(t *testing.T, n int) ([]State, []time.Time) {
	t.Helper()
	deadline, ok := t.Deadline()
	if ok {
		deadline = deadline.Add(-time.Until(deadline) / 20)
	}
	for {
		s.mu.Lock()
		if len(s.s) >= n {
			defer s.mu.Unlock()
			return append([]State(nil), s.s...), append([]time.Time(nil), s.at...)
		}
		s.mu.Unlock()
		if ok && time.Now().After(deadline) {
			t.Fatalf("fewer than %d states", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLink_LostAndBack unplugs a device and plugs it back as a new
// pseudo-terminal behind the same link: lost at once, back once it
// returns, data flowing again, nothing leaked.
func TestLink_LostAndBack(t *testing.T) {
	defer goleak.VerifyNone(t)
	link := filepath.Join(t.TempDir(), "tty")
	p := plug(t, link)
	l := &Link{Path: link, Mode: mode, ReadTimeout: time.Hour, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
	var st states
	got := make(chan byte, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- l.Run(ctx, st.add, func(ctx context.Context, rw io.ReadWriter, up func()) error {
			up()
			b := make([]byte, 1)
			for {
				n, err := rw.Read(b)
				if n == 1 {
					got <- b[0]
				}
				if err != nil {
					return err
				}
			}
		})
	}()
	st.wait(t, 1)
	p.master.Write([]byte{1})
	if b := <-got; b != 1 {
		t.Fatalf("got %d", b)
	}
	p.unplug()
	// The read timeout is an hour: a Lost at all is the failed read, not a
	// timeout (how soon it comes is the machine's load, not the code's).
	st.wait(t, 2)
	time.Sleep(100 * time.Millisecond) // away long enough for the backoff to grow
	p = plug(t, link)
	s, _ := st.wait(t, 3)
	if want := []State{Connected, Lost, Back}; !equal(s, want) {
		t.Errorf("states %v, want %v", s, want)
	}
	p.master.Write([]byte{2})
	if b := <-got; b != 2 {
		t.Fatalf("after back got %d", b)
	}
	// The read timeout is an hour: only closing the port can end this read,
	// so Run returning at all is the test.
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v after cancel, want nil", err)
	}
	p.unplug()
}

func TestLink_NotSerial(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	l := &Link{Path: f, Mode: mode}
	err := l.Run(context.Background(), func(State, error) {}, func(context.Context, io.ReadWriter, func()) error {
		t.Fatal("served a regular file")
		return nil
	})
	if !errors.Is(err, ErrNotSerial) {
		t.Errorf("Run = %v, want ErrNotSerial at once", err)
	}
}

// TestLink_MissingThenPlugged: a port that is not there when the link
// starts is reported Missing, once, with a not-found *OpenError; the link
// keeps trying, and an adapter plugged in later connects.
func TestLink_MissingThenPlugged(t *testing.T) {
	defer goleak.VerifyNone(t)
	link := filepath.Join(t.TempDir(), "tty")
	l := &Link{Path: link, Mode: mode, MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond}
	var st states
	var missingErr error
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- l.Run(ctx, func(s State, err error) {
			if s == Missing {
				missingErr = err
			}
			st.add(s, err)
		}, func(ctx context.Context, rw io.ReadWriter, up func()) error {
			up()
			<-ctx.Done()
			return nil
		})
	}()
	if s, _ := st.wait(t, 1); s[0] != Missing {
		t.Fatalf("first state %v, want %v", s[0], Missing)
	}
	var oe *OpenError
	if !errors.As(missingErr, &oe) || !oe.NotFound() || oe.Path != link {
		t.Errorf("Missing with %v, want a not-found *OpenError for %s", missingErr, link)
	}
	p := plug(t, link)
	defer p.unplug()
	if s, _ := st.wait(t, 2); !equal(s, []State{Missing, Connected}) {
		t.Errorf("states %v, want [missing connected]", s)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

// TestLink_FailIfMissing: for a one-off check a missing port is an error
// at once, not a wait.
func TestLink_FailIfMissing(t *testing.T) {
	l := &Link{Path: filepath.Join(t.TempDir(), "never"), Mode: mode, FailIfMissing: true}
	err := l.Run(context.Background(), func(State, error) { t.Error("a state reported") }, nil)
	var oe *OpenError
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &oe) {
		t.Errorf("Run = %v, want a not-found *OpenError at once", err)
	}
}

func equal(a, b []State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
