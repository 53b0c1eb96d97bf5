package station_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// TestDamaged: damage the store's check found is refused with what was
// found (the store's *DamagedError, however it is wrapped), once, in
// both languages; an error that is no damage passes through.
func TestDamaged(t *testing.T) {
	t.Parallel()
	found := "session 2: its recorded head is event 4, its log ends at event 5"
	for _, err := range []error{&store.DamagedError{What: found}, fmt.Errorf("check start: %w", &store.DamagedError{What: found})} {
		var ref *station.Refusal
		if !errors.As(station.Damaged(err), &ref) || ref.Code != "database-damaged" {
			t.Fatalf("Damaged(%v) = %v, want the refusal database-damaged", err, station.Damaged(err))
		}
		for _, text := range []string{ref.EN, ref.ZH} {
			if !strings.Contains(text, "（"+found+"）") && !strings.Contains(text, "("+found+")") || strings.Contains(text, store.ErrDamaged.Error()) {
				t.Errorf("Damaged(%v) says %q, want what was found in brackets, once", err, text)
			}
		}
	}
	other := errors.New("disk on fire")
	if got := station.Damaged(other); got != other {
		t.Errorf("Damaged(%v) = %v, want it unchanged", other, got)
	}
}
