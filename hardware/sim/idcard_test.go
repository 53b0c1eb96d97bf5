package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/idcard"
)

// TestIDCard_Scenarios reads each scenario's card through the real serial
// path: pseudo-terminal, go.bug.st/serial, the frame codec.
func TestIDCard_Scenarios(t *testing.T) {
	tests := []struct {
		scenario string
		wantErr  error
		validTo  string
	}{
		{"present", nil, idcard.Permanent},
		{"absent", idcard.ErrNoCard, ""},
		{"unreadable", idcard.ErrUnreadable, ""},
		{"expired", nil, "20200308"},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			s, err := Start(context.Background(), hardware.KindIDCard, tt.scenario, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a bound on a hang, not a wait
			defer cancel()
			c, err := driver.ReadCard(ctx, s.Path())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadCard: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if c.Name != "陈明" || c.IDNumber != "370902199903081216" || c.ValidTo != tt.validTo || len(c.Photo) != idcard.PhotoLen {
				t.Fatalf("card %+v", c)
			}
		})
	}
}

// TestIDCard_SetCard: the demo hands the reader another candidate's card,
// read through the real serial path, with the number's birth date and sex;
// expired is still that card, expired.
func TestIDCard_SetCard(t *testing.T) {
	s, err := Start(context.Background(), hardware.KindIDCard, "present", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetCard(CardFor("赵丽", "37090219970415232X")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a bound on a hang, not a wait
	defer cancel()
	c, err := driver.ReadCard(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "赵丽" || c.IDNumber != "37090219970415232X" || c.Birth != "19970415" || c.Gender != "2" || c.ValidTo != idcard.Permanent {
		t.Fatalf("card %+v", c)
	}
	if err := s.SetScenario("expired"); err != nil {
		t.Fatal(err)
	}
	if c, err = driver.ReadCard(ctx, s.Path()); err != nil || c.Name != "赵丽" || c.ValidTo != "20200308" {
		t.Fatalf("expired: %+v, %v", c, err)
	}
}
