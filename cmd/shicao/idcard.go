package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/idcard"
	"shicao/hardware/sim"
)

// cardReadTimeout bounds one read of the ID card: find, select and read
// take well under a second on a real module; a silent reader is a fault.
const cardReadTimeout = 5 * time.Second

// cardReader is the station's ID-card reader: the port given with
// --idcard, or else a simulated reader started on first use (in dir),
// whose card the script's `scenario idcard NAME` sets.
type cardReader struct {
	path string
	dir  string

	mu  sync.Mutex
	sim *sim.Sim
}

// Read reads the card on the reader (station.CardRead).
func (c *cardReader) Read(ctx context.Context) (idcard.Card, error) {
	path := c.path
	if path == "" {
		s, err := c.simulator("")
		if err != nil {
			return idcard.Card{}, err
		}
		path = s.Path()
	}
	ctx, cancel := context.WithTimeout(ctx, cardReadTimeout)
	defer cancel()
	return driver.ReadCard(ctx, path)
}

// Scenario sets what the simulated reader holds: present, absent,
// unreadable or expired.
func (c *cardReader) Scenario(name string) error {
	if c.path != "" {
		return fmt.Errorf("scenario idcard: the ID-card reader at %s is a real one", c.path)
	}
	s, err := c.simulator(name)
	if err != nil {
		return err
	}
	return s.SetScenario(name)
}

// Hand puts the named person's card on the simulated reader, present:
// the demo hands each candidate their own card as their identity check
// opens (F2 then swaps it for none, an unreadable or an expired one).
func (c *cardReader) Hand(name, idNumber string) error {
	if c.path != "" {
		return fmt.Errorf("the ID-card reader at %s is a real one", c.path)
	}
	s, err := c.simulator("present")
	if err != nil {
		return err
	}
	if err := s.SetCard(sim.CardFor(name, idNumber)); err != nil {
		return err
	}
	return s.SetScenario("present")
}

func (c *cardReader) simulator(scenario string) (*sim.Sim, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sim == nil {
		s, err := sim.Start(context.Background(), hardware.KindIDCard, scenario, sim.Options{Dir: c.dir})
		if err != nil {
			return nil, err
		}
		c.sim = s
	}
	return c.sim, nil
}

// Close stops the simulated reader, if one was started.
func (c *cardReader) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sim == nil {
		return nil
	}
	return c.sim.Close()
}

// withCard routes `scenario idcard NAME` to the card reader and other
// kinds to play (nil: no other simulated equipment).
func withCard(cr *cardReader, play func(kind, name string) error) func(kind, name string) error {
	return func(kind, name string) error {
		if kind == string(hardware.KindIDCard) {
			return cr.Scenario(name)
		}
		if play == nil {
			return fmt.Errorf("scenario: no simulated %s here", kind)
		}
		return play(kind, name)
	}
}
