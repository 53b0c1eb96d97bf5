package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"shicao/hardware/profiles"
	"shicao/standards"
)

// errCapturesFailed is returned by device test when a capture does not
// give its events; it exits 1.
var errCapturesFailed = errors.New("device test: captures failed")

// loadProfileArg reads an embedded profile by name or a profile file,
// without running its captures.
func loadProfileArg(arg string) (*profiles.Profile, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.Contains(arg, "/") {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, fmt.Errorf("read profile: %w", err)
		}
		return profiles.ParseUntested(arg, b)
	}
	return profiles.LoadUntested(arg)
}

// vocabularyMap is the embedded vocabulary in the shape Profile.Check takes.
func vocabularyMap() map[string]map[string]string {
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

func deviceTestCmd() *Command {
	c := &Command{
		UsageLine: "device test PROFILE...",
		Short:     "check profiles as a station would: the vocabulary, then each test capture",
		Long:      "Examples:\n  shicao device test cpr-pd\n  shicao device test my-manikin.yaml\n",
	}
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("device test: give a profile: an embedded name (%s) or a file", strings.Join(profiles.Names(), ", "))
		}
		vocab := vocabularyMap()
		failed := false
		for _, arg := range args {
			p, err := loadProfileArg(arg)
			if err != nil {
				return err
			}
			if err := p.Check(vocab); err != nil {
				return err
			}
			if !testProfile(e, p, vocab) {
				failed = true
			}
		}
		if failed {
			return errCapturesFailed
		}
		return nil
	}
	return c
}

// testProfile prints what p measures and runs its test captures; it
// reports whether every capture gave its events.
func testProfile(e *env, p *profiles.Profile, vocab map[string]map[string]string) bool {
	fmt.Fprintf(e.stdout, "profile %s: %s %s, %s\n", p.Name, p.Kind, p.Model, p.Framing)
	var events []string
	for ev := range vocab {
		if u := p.Unmeasured(ev); len(u) > 0 {
			events = append(events, fmt.Sprintf("%s %s", ev, strings.Join(u, ", ")))
		}
	}
	slices.Sort(events)
	for _, ev := range events {
		fmt.Fprintf(e.stdout, "  unmeasured: %s\n", ev)
	}
	if len(p.Captures) == 0 {
		if p.Framing == profiles.FramingModbus {
			fmt.Fprintln(e.stdout, "  no captures: a Modbus slave answers polls; check it with 'shicao device read'")
			return true
		}
		fmt.Fprintln(e.stdout, "  FAIL no captures: record the device with 'shicao device capture' and list the events it must give")
		return false
	}
	ok := true
	for _, r := range p.TestCaptures() {
		s := r.Stats
		detail := fmt.Sprintf("%d events from %d bytes; records %d accepted, refused %d checksum, %d format, %d unknown, %d invalid; %d bytes dropped",
			r.Events, s.Bytes, s.Records, s.Checksum, s.Format, s.Unknown, s.Invalid, s.Dropped)
		if r.Err != nil {
			ok = false
			fmt.Fprintf(e.stdout, "  FAIL %s: %v (%s)\n", r.Name, r.Err, detail)
			continue
		}
		fmt.Fprintf(e.stdout, "  ok   %s: %s\n", r.Name, detail)
	}
	return ok
}
