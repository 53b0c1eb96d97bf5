package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestServe_Flood: 64 clients stream unsigned 60 MB bodies at a `shicao
// centre serve` process, each sending the next as soon as the last is
// answered, while a station uploads a result. The station gets its
// verified receipt, and the centre's peak RSS (VmHWM) stays under 150
// MB. The bodies come from a generator, so the test itself holds none
// of them; a watchdog kills the centre if its RSS passes
// SHICAO_FLOOD_KILL_MB (default 1024), so a centre that reads the
// bodies fails the test without taking the machine's memory. It prints
// the figures:
//
//	go test -count=1 -v -run TestServe_Flood ./cmd/shicao/
func TestServe_Flood(t *testing.T) {
	t.Parallel()
	const (
		clients   = 64
		bodyBytes = 60 << 20
		limitMB   = 150
	)
	killMB := int64(1024)
	if v := os.Getenv("SHICAO_FLOOD_KILL_MB"); v != "" {
		killMB, _ = strconv.ParseInt(v, 10, 64)
	}
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	saved := st.Exam(t, demo.Candidates[0].IDNumber, "flood", 0)
	centreKey := c.Verifier()
	c.Close()

	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(os.Args[0], "centre", "serve", "--data", dir, "--listen", "127.0.0.1:0", "--addr-file", addrFile)
	// The centre judges exam dates in its zone; the harness signs in its
	// own (centretest.Zone), chosen so that every hour of the day works.
	zone, _ := centretest.Zone()
	cmd.Env = append(os.Environ(), "SHICAO_AS_MAIN=1", "TZ="+zone)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "centre.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()
	url := waitAddr(t, addrFile, exited)
	pid := cmd.Process.Pid
	baseline := procKB(t, pid, "VmRSS")

	// The watchdog.
	var killedAt atomic.Int64
	stopWatch := make(chan struct{})
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopWatch:
				return
			case <-tick.C:
			}
			if rss, ok := procKBOK(pid, "VmRSS"); ok && rss > killMB<<10 {
				killedAt.Store(rss)
				cmd.Process.Kill()
				return
			}
		}
	}()

	// The flood.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	stop := make(chan struct{})
	var wg gosync.WaitGroup
	var started, answered, cut atomic.Int64
	streaming := make(chan struct{}, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var once gosync.Once // the first body read tells streaming
			for {
				select {
				case <-stop:
					return
				default:
				}
				body := &genBody{left: bodyBytes, onFirst: func() { once.Do(func() { streaming <- struct{}{} }) }}
				req, err := http.NewRequest("POST", url+"/v1/results", body)
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					req.ContentLength = bodyBytes // odd clients send chunked
				}
				req.Header.Set("Content-Type", "application/json")
				started.Add(1)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					cut.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}
		}()
	}
	for range clients {
		select {
		case <-streaming:
		case <-exited:
			t.Fatalf("the centre exited under the flood (killed at %d MB RSS: %v)", killedAt.Load()>>10, cmd.ProcessState)
		}
	}

	// A station's upload, in the middle of the flood.
	client, err := examsync.NewClient(url, demo.Station, st.Signer, &http.Client{Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	receipt, uploadErr := client.Upload(ctx, saved.Bundle)
	close(stop)
	wg.Wait()
	close(stopWatch)
	<-watchDone
	hwm, ok := procKBOK(pid, "VmHWM")
	if k := killedAt.Load(); k > 0 {
		t.Fatalf("the centre passed %d MB RSS under %d concurrent unsigned %d MB bodies and was killed (baseline %d MB)", k>>10, clients, bodyBytes>>20, baseline>>10)
	}
	if !ok {
		t.Fatal("the centre exited under the flood")
	}
	t.Logf("centre RSS: %d MB before, peak (VmHWM) %d MB under %d concurrent unsigned %d MB bodies; %d flood requests, %d answered, %d cut",
		baseline>>10, hwm>>10, clients, bodyBytes>>20, started.Load(), answered.Load(), cut.Load())
	if uploadErr != nil {
		t.Fatalf("the station's upload during the flood: %v", uploadErr)
	}
	if _, _, err := examsync.VerifyReceipt(receipt, centreKey, saved.ID, demo.Station, saved.Bundle); err != nil {
		t.Fatalf("the receipt: %v", err)
	}
	if hwm > limitMB<<10 {
		t.Errorf("peak RSS %d MB, want under %d MB", hwm>>10, limitMB)
	}
}

// genBody is a request body of left bytes made as it is read.
type genBody struct {
	left    int64
	onFirst func()
}

func (b *genBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if b.onFirst != nil {
		b.onFirst()
		b.onFirst = nil
	}
	n := int(min(int64(len(p)), b.left))
	for i := range p[:n] {
		p[i] = '{'
	}
	b.left -= int64(n)
	return n, nil
}

func (b *genBody) Close() error { return nil }

// waitAddr waits for `centre serve` to write its URL to file.
func waitAddr(t *testing.T, file string, exited <-chan struct{}) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if b, err := os.ReadFile(file); err == nil {
			return strings.TrimSpace(string(b))
		}
		select {
		case <-exited:
			t.Fatal("centre serve exited before listening")
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("centre serve did not listen within 2 minutes")
		}
	}
}

// procKB reads a kB figure (VmRSS, VmHWM) of /proc/PID/status.
func procKB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	v, ok := procKBOK(pid, field)
	if !ok {
		t.Fatalf("/proc/%d/status: no %s", pid, field)
	}
	return v
}

func procKBOK(pid int, field string) (int64, bool) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if ok && name == field {
			v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}
