package main

import (
	"context"
	"errors"
)

// stationSync is one sync round with the centre (issue 6).
func stationSync(ctx context.Context, e *env, args []string) error {
	return errors.New("station sync: not built yet")
}
