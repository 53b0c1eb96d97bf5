package station_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// chainLines re-chains plain event lines the way an exporter does, as a
// forger who knows the format would.
func chainLines(t *testing.T, events []string) []string {
	t.Helper()
	var c standards.Chain
	var out []string
	for _, l := range events {
		v, lerr := standards.ScanEvent([]byte(l))
		if lerr != nil {
			t.Fatal(lerr)
		}
		if err := c.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(l, "}")+fmt.Sprintf(`,"chain":"%s"}`, c.Head()))
	}
	return out
}

// TestCheckEventLog: an exported log verifies alone against the station
// key; each way of editing it is found, and named by line where the chain
// allows; logs without chain data are read but reported as unverified.
func TestCheckEventLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	saved := f.runExam(t, demo.Candidates[1].IDNumber, "perfect")
	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	keys := []string{string(pub)}
	subject := saved.Doc.Items[0].Subject
	var buf bytes.Buffer
	if err := station.WriteEventLog(&buf, saved.Bundle, subject); err != nil {
		t.Fatal(err)
	}
	export := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	header, chained := export[0], export[1:]
	if n := saved.Doc.Items[0].Events; len(chained) != n || n < 3 {
		t.Fatalf("export has %d event lines, the result %d", len(chained), n)
	}
	b, _ := examsync.DecodeBundle(saved.Bundle)
	var plain []string
	for _, l := range b.Events[subject] {
		plain = append(plain, string(l))
	}
	join := func(lines ...[]string) string {
		var all []string
		for _, l := range lines {
			all = append(all, l...)
		}
		return strings.Join(all, "\n") + "\n"
	}
	// Event 3 (line 4 of the export) with its time changed.
	editedPlain := append([]string(nil), plain...)
	editedPlain[2] = strings.Replace(plain[2], `"t_ms":`, `"t_ms":1`, 1)
	editedLine := append([]string(nil), chained...)
	editedLine[2] = strings.Replace(chained[2], `"t_ms":`, `"t_ms":1`, 1)

	tests := []struct {
		name      string
		log       string
		keys      []string
		trust     station.LogTrust
		wantErr   string // "" for success
		errEdited bool
	}{
		{"Verified", join([]string{header}, chained), keys, station.LogVerified, "", false},
		{"NoKey", join([]string{header}, chained), nil, station.LogHeadUnsigned, "", false},
		{"Plain", join(plain), nil, station.LogPlain, "", false},
		{"ChainOnly", join(chained), nil, station.LogChainOnly, "", false},
		{"PlainWithKey", join(plain), keys, 0, "carries no signed chain head", false},
		{"EditedLine", join([]string{header}, editedLine), nil, 0, "log:4: the event log was edited: event 3 does not match its chain hash", true},
		{"RemovedLine", join([]string{header}, chained[:2], chained[3:]), nil, 0, "log:4: the event log was edited: event 4 does not match its chain hash", true},
		{"RewrittenChain", join([]string{header}, chainLines(t, editedPlain)), keys, 0, "the chain ends at", true},
		{"Truncated", join([]string{header}, chainLines(t, plain[:len(plain)-1])), nil, 0, "events were removed from the end", true},
		{"HeaderEdited", join([]string{strings.Replace(header, `"head":"`, `"head":"0`, 1)}, chained), nil, 0, "log:1: event log header: it differs from the signed result", true},
		{"OtherKey", join([]string{header}, chained), []string{otherKey(t)}, 0, "not signed by the station key given", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			c, err := station.CheckEventLog(strings.NewReader(tt.log), "log", tt.keys, func(standards.EventView) error { n++; return nil })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CheckEventLog: %v, want %q", err, tt.wantErr)
				}
				if got := errors.Is(err, station.ErrLogEdited); got != tt.errEdited {
					t.Fatalf("errors.Is(%v, ErrLogEdited) = %v", err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckEventLog: %v", err)
			}
			if c.Trust != tt.trust || n != len(plain) {
				t.Fatalf("trust %d and %d events, want %d and %d", c.Trust, n, tt.trust, len(plain))
			}
		})
	}
}

// FuzzCheckEventLog: whatever the file holds, CheckEventLog returns an
// error or a result, never panics, and passes on only events it checked.
func FuzzCheckEventLog(f *testing.F) {
	f.Add([]byte(`{"seq":1,"t_ms":0,"type":"session.start","source":"system","data":{"item":"X"}}` + "\n"))
	f.Add([]byte(`{"seq":1,"t_ms":0,"type":"a","chain":"00"}` + "\n"))
	f.Add([]byte(`{"format":"shicao-events/1","result":"r","station":"s","subject":"K1","standard":{"id":"X","version":1,"sha256":""},"events":1,"head":"00","signed":"{\"format\":\"shicao-result/1\",\"id\":\"r\",\"station\":\"s\",\"items\":[{\"subject\":\"K1\",\"events\":1,\"head\":\"00\",\"standard\":{\"id\":\"X\",\"version\":1,\"sha256\":\"\"}}]}\n"}` + "\n" + `{"seq":1,"t_ms":0,"type":"a","chain":"00"}` + "\n"))
	f.Add([]byte(`{"format":1}` + "\n"))
	f.Fuzz(func(t *testing.T, log []byte) {
		c, err := station.CheckEventLog(bytes.NewReader(log), "log", nil, func(standards.EventView) error { return nil })
		if err == nil && c.Trust == station.LogHeadUnsigned && c.Header == nil {
			t.Fatal("a signed head without a header")
		}
	})
}
