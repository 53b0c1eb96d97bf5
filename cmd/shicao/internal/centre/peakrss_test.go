package centre_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// peakRSSEnv, set to a file's path, makes the test binary (TestMain) a
// small parent that runs the command its arguments name, passes on its
// output and exit status, and writes the command's peak RSS in KiB to
// that file.
//
// A command the test process starts itself cannot be measured by its
// rusage: Go starts children with CLONE_VM|CLONE_VFORK, and at exec Linux
// folds the memory it leaves (the test process's, whose high-water mark
// is that of the whole test: building a big centre) into the child's
// maxrss. A fresh process in between holds only a few MB when it starts
// the command, so the command's maxrss is its own.
const peakRSSEnv = "SHICAO_TEST_PEAK_RSS_TO"

// peakRSSChild is the test binary's life as that parent.
func peakRSSChild(out string, args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	kib := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	if werr := os.WriteFile(out, []byte(strconv.FormatInt(kib, 10)), 0o600); werr != nil {
		fmt.Fprintln(os.Stderr, werr)
		return 127
	}
	return cmd.ProcessState.ExitCode()
}

// runMeasured runs bin with args, through a fresh copy of the test
// binary (peakRSSEnv), and returns its combined output and its own peak
// RSS in MiB.
func runMeasured(tb testing.TB, bin string, args ...string) ([]byte, int64, error) {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	rssFile := tb.TempDir() + "/peak-rss"
	cmd := exec.Command(self, append([]string{bin}, args...)...)
	cmd.Env = append(os.Environ(), peakRSSEnv+"="+rssFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	raw, err := os.ReadFile(rssFile)
	if err != nil {
		return out.Bytes(), 0, errors.Join(runErr, fmt.Errorf("the peak RSS: %w", err))
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		tb.Fatalf("the peak RSS file said %q", raw)
	}
	return out.Bytes(), kib >> 10, runErr
}

// TestRunMeasured: the peak RSS runMeasured reports is the command's, not
// the test process's. The test holds 256 MiB while it runs a command that
// holds almost nothing; the command's rusage, read directly, would report
// the test's 256 MiB.
func TestRunMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("touches 256 MiB: not in -short")
	}
	ballast := bytes.Repeat([]byte{1}, 256<<20)
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	out, peak, err := runMeasured(t, sh, "-c", "echo hello; exit 3")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("sh exiting 3: err %v", err)
	}
	if string(out) != "hello\n" {
		t.Errorf("output %q, want %q", out, "hello\n")
	}
	if peak <= 0 || peak >= 64 {
		t.Errorf("sh's peak RSS measured %d MiB while the test held %d MiB; want its own (a few MiB)", peak, len(ballast)>>20)
	}
	direct := exec.Command(sh, "-c", "true")
	if err := direct.Run(); err != nil {
		t.Fatal(err)
	}
	t.Logf("sh: %d MiB through runMeasured, %d MiB by its rusage read directly", peak, direct.ProcessState.SysUsage().(*syscall.Rusage).Maxrss>>10)
	runtime.KeepAlive(ballast)
}
