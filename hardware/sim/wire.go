package sim

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// wire is the simulator's end of a pseudo-terminal, behind a stable path.
type wire struct {
	link string

	mu      sync.Mutex
	master  *os.File // the simulator reads and writes here
	slave   *os.File // held open so the terminal keeps its settings between host opens
	changed chan struct{}
}

var errUnplugged = errors.New("unplugged")

func newWire(dir string) (*wire, error) {
	w := &wire{link: filepath.Join(dir, "tty"), changed: make(chan struct{})}
	if err := w.plug(); err != nil {
		return nil, err
	}
	return w, nil
}

// plug makes a new pseudo-terminal and points the link at it.
func (w *wire) plug() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.master != nil {
		return nil
	}
	m, s, err := pty.Open()
	if err != nil {
		return fmt.Errorf("open pseudo-terminal: %w", err)
	}
	// pty.Open's master is in blocking mode (it called Fd), so Close would
	// not interrupt a Read in progress. A non-blocking duplicate goes
	// through the runtime poller, where Close does.
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err != nil {
		s.Close()
		return fmt.Errorf("dup pseudo-terminal: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		s.Close()
		return fmt.Errorf("pseudo-terminal non-blocking: %w", err)
	}
	master := os.NewFile(uintptr(fd), "ptmx")
	// Raw until the host opens it: in the default cooked mode the line
	// discipline would echo what the simulator writes back to it.
	if err := makeRaw(s); err != nil {
		master.Close()
		s.Close()
		return err
	}
	tmp := w.link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(s.Name(), tmp); err != nil {
		master.Close()
		s.Close()
		return fmt.Errorf("link pseudo-terminal: %w", err)
	}
	if err := os.Rename(tmp, w.link); err != nil {
		master.Close()
		s.Close()
		return fmt.Errorf("link pseudo-terminal: %w", err)
	}
	w.master, w.slave = master, s
	close(w.changed)
	w.changed = make(chan struct{})
	return nil
}

func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("terminal settings: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("terminal settings: %w", err)
	}
	return nil
}

// unplug closes the pseudo-terminal and removes the link: the host's next
// read fails, as when a USB cable is pulled.
func (w *wire) unplug() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.master == nil {
		return
	}
	os.Remove(w.link)
	w.master.Close()
	w.slave.Close()
	w.master, w.slave = nil, nil
	close(w.changed)
	w.changed = make(chan struct{})
}

// drain waits while the host, with the terminal open, is reading what was
// written to it, until it has read it all: as long as the bytes waiting
// go down within a second each time.
func (w *wire) drain() {
	last, still := -1, 0
	for still < 1000 && w.hostOpen() {
		w.mu.Lock()
		n := 0
		if w.slave != nil {
			n, _ = unix.IoctlGetInt(int(w.slave.Fd()), unix.TIOCINQ)
		}
		w.mu.Unlock()
		if n == 0 {
			return
		}
		if n == last {
			still++
		} else {
			last, still = n, 0
		}
		time.Sleep(time.Millisecond)
	}
}

// current returns the master (nil while unplugged) and a channel closed at
// the next plug or unplug.
func (w *wire) current() (*os.File, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.master, w.changed
}

// hostOpen reports whether a host has the terminal open. go.bug.st/serial
// takes exclusive access (TIOCEXCL) on open and releases it on close, and
// Linux lets the other side read that flag (TIOCGEXCL): the nearest a
// pseudo-terminal has to a host raising DTR.
func (w *wire) hostOpen() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.slave == nil {
		return false
	}
	v, err := unix.IoctlGetInt(int(w.slave.Fd()), unix.TIOCGEXCL)
	return err == nil && v != 0
}

// write writes p to the master, or fails with errUnplugged.
func (w *wire) write(p []byte) error {
	m, _ := w.current()
	if m == nil {
		return errUnplugged
	}
	if _, err := m.Write(p); err != nil {
		return fmt.Errorf("%w: %v", errUnplugged, err)
	}
	return nil
}
