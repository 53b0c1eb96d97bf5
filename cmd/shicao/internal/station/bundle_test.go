package station_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestDecodeBundle_RealBundle: a bundle a station signed decodes to what
// encoding/json reads from it, every event a slice of the body.
func TestDecodeBundle_RealBundle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	saved := f.runExam(t, demo.Candidates[0].IDNumber, "perfect")
	got, err := examsync.DecodeBundle(saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	sameAsEncodingJSON(t, saved.Bundle, got)
	if len(got.Events) != 4 || len(got.Standards) != 4 || got.Blueprint == "" || !strings.Contains(got.Result, "\n— ") {
		t.Fatalf("decoded %d subjects, %d standards, blueprint %d bytes, result %.40q", len(got.Events), len(got.Standards), len(got.Blueprint), got.Result)
	}
}

func sameAsEncodingJSON(t *testing.T, body []byte, got examsync.Bundle) {
	t.Helper()
	var want examsync.Bundle
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("DecodeBundle accepted what encoding/json refuses: %v\n%q", err, body)
	}
	// encoding/json keeps a list's elements exactly as written, too.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeBundle read\n%+v\nencoding/json\n%+v\nfrom %q", got, want, body)
	}
}
