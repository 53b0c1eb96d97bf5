package driver

import (
	"context"
	"fmt"

	"shicao/hardware/idcard"
	"shicao/hardware/serialport"
)

// IDCardMode is the ID-card security module's serial line: 115200 8N1,
// as the readers' serial (and USB-serial) interfaces ship.
var IDCardMode = serialport.Mode{Baud: 115200, DataBits: 8, Parity: "none", StopBits: 1}

// ReadCard opens the ID-card reader at path, reads the card on it (find,
// select, read) and closes the port. It returns idcard.ErrNoCard,
// idcard.ErrUnreadable, a *serialport.OpenError, or ctx's error when ctx
// ends first (give it a deadline: a silent reader answers nothing).
func ReadCard(ctx context.Context, path string) (idcard.Card, error) {
	p, err := serialport.Open(path, IDCardMode, 0)
	if err != nil {
		return idcard.Card{}, err
	}
	r := idcard.NewReader(p)
	defer r.Close()
	c, err := r.Read(ctx)
	if err != nil {
		return idcard.Card{}, fmt.Errorf("read the ID card at %s: %w", path, err)
	}
	return c, nil
}
