package centre

import (
	"context"
	"errors"
)

// Forwards for package main; removed by the lead after the #15 merge
// (package main then calls demo.SeedCentre(ctx, c, ...) itself).

// SeedDemoFunc is demo.SeedCentre, set by package demo when it is linked
// in, so that centre need not import demo.
var SeedDemoFunc func(ctx context.Context, c *Centre, date, stationKey string, skip ...string) error

// SeedDemo is demo.SeedCentre(ctx, c, date, stationKey, skip...).
func (c *Centre) SeedDemo(ctx context.Context, date, stationKey string, skip ...string) error {
	if SeedDemoFunc == nil {
		return errors.New("seed demo: package demo is not linked in")
	}
	return SeedDemoFunc(ctx, c, date, stationKey, skip...)
}
