package station_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// handsVocabulary adds an event type to the CPR manikin: where the hands
// are at each compression (a manikin that reports it).
const handsVocabulary = `version: 2
devices:
  cpr:
    title: 心肺复苏模拟人
    events:
      cpr.hands: {interlocked: bool}
`

// k42WithHands is the library's CPR standard as version 2, with a rule
// on the new event type and the new event in its perfect vector.
func k42WithHands(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../../../standards/library/sd-dg-k42-cpr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, r := range []struct{ old, new string }{
		{"\nversion: 1\n", "\nversion: 2\n"},
		{"        each: 'filter(events(\"cpr.compression\"), .position != \"ok\")'\n        deduct: 1\n",
			"        each: 'filter(events(\"cpr.compression\"), .position != \"ok\")'\n        deduct: 1\n" +
				"      - {id: hands-apart, text: 双手未交叉重叠, deduct: 1, each: 'filter(events(\"cpr.hands\"), !.interlocked)'}\n"},
		{"  - name: perfect\n    events:\n", "  - name: perfect\n    events:\n      - {type: cpr.hands, data: {interlocked: true}}\n"},
	} {
		if !strings.Contains(text, r.old) {
			t.Fatalf("the library's K42 no longer has %q", r.old)
		}
		text = strings.Replace(text, r.old, r.new, 1)
	}
	signer, _ := demo.ProvinceKeys()
	signed, err := standards.Sign([]byte(text), signer)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestStation_SyncVocabulary: a vocabulary document published at the
// centre reaches the station on its next sync, installed before the
// standard that uses its new event type; the station draws and scores
// that standard, and the centre re-scores the result with the same
// vocabulary and accepts it.
func TestStation_SyncVocabulary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c := centretest.NewCentre(t, st)
	srv := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(srv.Close)
	signer, _ := demo.ProvinceKeys()
	voc, err := standards.Sign([]byte(handsVocabulary), signer)
	if err != nil {
		t.Fatal(err)
	}
	k42 := k42WithHands(t)

	// The centre checks a standard against the vocabulary it published:
	// before the document, cpr.hands is unknown.
	if _, err := c.Publish(ctx, "sd-dg-k42-2", k42); err == nil || !strings.Contains(err.Error(), "cpr.hands") {
		t.Fatalf("publishing a standard that uses cpr.hands before the vocabulary: %v, want refused naming it", err)
	}
	if doc, err := c.PublishVocabulary(ctx, voc); err != nil || doc.Version != 2 {
		t.Fatalf("publish vocabulary: %v", err)
	}
	if _, err := c.Publish(ctx, "sd-dg-k42-2", k42); err != nil {
		t.Fatalf("publish the standard after the vocabulary: %v", err)
	}

	rep, err := st.S.Sync(ctx, client(t, st.S, srv.URL), station.SyncOptions{Since: -1})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if rep.Pull.Vocabulary != 2 || rep.Pull.RefusedVocabulary != "" || len(rep.Pull.Refused) != 0 || !slices.Contains(rep.Pull.Installed, "SD-DG-K42 version 2") {
		t.Fatalf("pull %+v: want vocabulary 2 and SD-DG-K42 version 2 installed, nothing refused", rep.Pull)
	}
	if _, ver, err := st.S.Vocabulary(ctx); err != nil || ver != 2 {
		t.Fatalf("the station's vocabulary is version %d (%v), want 2", ver, err)
	}

	saved := st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("vocab"), 0)
	var k4 bool
	for _, it := range saved.Doc.Items {
		if it.Standard.ID != "SD-DG-K42" {
			continue
		}
		k4 = true
		if it.Standard.Version != 2 || it.Vocabulary == nil || it.Vocabulary.Version != 2 || it.Sheet.Score.String() != "100" {
			t.Fatalf("K4 scored by %s version %d with vocabulary %+v, score %s; want version 2, vocabulary 2, 100", it.Standard.ID, it.Standard.Version, it.Vocabulary, it.Sheet.Score)
		}
	}
	if !k4 || !bytes.Contains(saved.Bundle, []byte(`"type":"cpr.hands"`)) {
		t.Fatalf("K42 drawn: %v; the bundle must carry the cpr.hands event", k4)
	}

	// Anyone re-scores it offline with the province's key (shicao
	// verify): the bundle carries the vocabulary; without it, it fails.
	_, province := demo.ProvinceKeys()
	trust, err := standards.NewTrust(1, province)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := examsync.VerifyBundle(saved.Bundle, []string{st.Pub}, trust); err != nil {
		t.Fatalf("verify the bundle offline: %v", err)
	}
	b, err := examsync.DecodeBundle(saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	b.Vocabularies = nil
	stripped, _ := json.Marshal(b)
	if _, err := examsync.VerifyBundle(stripped, []string{st.Pub}, trust); err == nil || !strings.Contains(err.Error(), "lacks vocabulary version 2") {
		t.Fatalf("verify a bundle without its vocabulary: %v, want it named", err)
	}

	// The centre re-scores with the vocabulary the result names: the
	// result is receipted, not refused.
	rep, err = st.S.Sync(ctx, client(t, st.S, srv.URL), station.SyncOptions{Since: -1})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(rep.Upload.Sent) != 1 || rep.Upload.Sent[0].ResultID != saved.ID || len(rep.Upload.Parked) != 0 {
		t.Fatalf("upload %+v: want %s receipted", rep.Upload, saved.ID)
	}
	if rep.Pull.Vocabulary != 0 || rep.Pull.RefusedVocabulary != "" {
		t.Fatalf("second pull %+v: the vocabulary is held already", rep.Pull)
	}
	if _, err := c.VerifyResult(ctx, saved.ID); err != nil {
		t.Fatalf("the centre verifies the result again: %v", err)
	}
}
