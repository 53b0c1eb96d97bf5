package station_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/hardware/idcard"
	examsync "shicao/sync"
)

// chenCard is the card of the demo plan's first candidate, 陈明.
func chenCard() idcard.Card {
	return idcard.Card{Name: "陈明", Gender: "1", Nation: "01", Birth: "19990308", Address: "山东省泰安市泰山区东岳大街1号",
		IDNumber: demo.Candidates[0].IDNumber, Authority: "泰安市公安局泰山分局", ValidFrom: "20190308", ValidTo: idcard.Permanent,
		Photo: bytes.Repeat([]byte("wlt"), 341)}
}

func reads(c idcard.Card, err error) station.CardRead {
	return func(context.Context) (idcard.Card, error) { return c, err }
}

func TestIdentifyByCard_Refusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	renamed := chenCard()
	renamed.Name = "陈名"
	expired := chenCard()
	expired.ValidFrom, expired.ValidTo = "20100308", "20200308"
	future := chenCard()
	future.ValidFrom = "20270101"
	stranger := chenCard()
	stranger.IDNumber = "370902199601016769"
	tests := []struct {
		name string
		read station.CardRead
		code string
	}{
		{"absent", reads(idcard.Card{}, idcard.ErrNoCard), "card-absent"},
		{"unreadable", reads(idcard.Card{}, fmt.Errorf("read card: %w", idcard.ErrUnreadable)), "card-unreadable"},
		{"malformed", reads(idcard.Card{}, idcard.ErrText), "card-unreadable"},
		{"reader silent", reads(idcard.Card{}, context.DeadlineExceeded), "card-reader"},
		{"name differs", reads(renamed, nil), "card-name"},
		{"expired", reads(expired, nil), "card-expired"},
		{"not yet valid", reads(future, nil), "card-not-yet-valid"},
		{"not on plan", reads(stranger, nil), "candidate-not-on-plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex, err := f.s.NewExam(context.Background(), demo.PlanID)
			if err != nil {
				t.Fatal(err)
			}
			signInBoth(t, ex)
			c, err := ex.IdentifyByCard(context.Background(), tt.read)
			if got := refusalCode(err); got != tt.code {
				t.Fatalf("IdentifyByCard = %v, %v; want refusal %s", c, err, tt.code)
			}
			if ex.Candidate() != nil || ex.AttemptID() != "" {
				t.Fatalf("a refused card started attempt %q", ex.AttemptID())
			}
		})
	}
	// The reason a person reads, for the card whose name is not the plan's.
	ex, _ := f.s.NewExam(context.Background(), demo.PlanID)
	signInBoth(t, ex)
	_, err := ex.IdentifyByCard(context.Background(), reads(renamed, nil))
	wantRefusal(t, err, "card-name",
		"the card does not match the plan: card 370902********1216 is in the name of 陈名, the plan's candidate with that number is 陈明",
		"人证不一致：身份证 370902********1216 的姓名是 陈名，考试计划中该身份证号的考生是 陈明")
}

// TestIdentifyByCard_OnResult: the card read is on the signed result and
// at the start of every item's log, with the photo's hash and never the
// photo; the bundle verifies.
func TestIdentifyByCard_OnResult(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	card := chenCard()
	saved := f.runExamBy(t, card.IDNumber, "", func(ex *station.Exam) error {
		_, err := ex.IdentifyByCard(context.Background(), reads(card, nil))
		if err == nil && !bytes.Equal(ex.CardPhoto(), card.Photo) {
			t.Error("the station does not keep the card's photo")
		}
		return err
	})
	sum := sha256.Sum256(card.Photo)
	id := saved.Doc.Identity
	if id == nil || id.Method != "card" || id.Name != "陈明" || id.IDNumber != card.IDNumber || id.ValidTo != idcard.Permanent || id.PhotoSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("identity on the result: %+v", id)
	}
	if bytes.Contains(saved.Bundle, card.Photo) || bytes.Contains(saved.Bundle, []byte("东岳大街")) {
		t.Fatal("the bundle carries the photo or the address")
	}
	b, err := examsync.DecodeBundle(saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	for subject, evs := range b.Events {
		if !bytes.Contains(evs[2], []byte(`"type":"identity.card"`)) || !bytes.Contains(evs[2], []byte(id.PhotoSHA256)) {
			t.Errorf("%s: event 3 is %s, want identity.card", subject, evs[2])
		}
	}
	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	v, err := examsync.VerifyBundle(saved.Bundle, []string{string(pub)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.Doc.Identity == nil || v.Doc.Identity.Method != "card" {
		t.Fatalf("verified identity %+v", v.Doc.Identity)
	}
}

func TestVerifyCandidateManual(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ex, _ := f.s.NewExam(context.Background(), demo.PlanID)
	signInBoth(t, ex)
	_, err := ex.VerifyCandidateManual(context.Background(), demo.Candidates[1].IDNumber, "  ")
	if refusalCode(err) != "manual-reason" {
		t.Fatalf("no reason: %v", err)
	}
	saved := f.runExamBy(t, demo.Candidates[1].IDNumber, "", func(ex *station.Exam) error {
		_, err := ex.VerifyCandidateManual(context.Background(), demo.Candidates[1].IDNumber, "证件芯片损坏")
		return err
	})
	id := saved.Doc.Identity
	if id == nil || id.Method != "manual" || id.Reason != "证件芯片损坏" || len(id.ConfirmedBy) != 2 || id.PhotoSHA256 != "" {
		t.Fatalf("identity %+v", id)
	}
	if !strings.Contains(string(saved.Bundle), `identity.manual`) {
		t.Fatal("no identity.manual event in the logs")
	}
}
