package sim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"slices"
	"sync"

	"shicao/hardware/idcard"
)

// DemoCard is the card the simulated reader holds by default: the demo
// plan's first candidate (cmd/shicao/internal/demo), valid for life.
// Its photo is 1,024 bytes derived from the number: a stand-in for the
// card's encoded (wlt) photo, which the station hashes and never decodes.
func DemoCard() idcard.Card {
	c := idcard.Card{Name: "陈明", Gender: "1", Nation: "01", Birth: "19990308", Address: "山东省泰安市泰山区东岳大街1号",
		IDNumber: "370902199903081216", Authority: "泰安市公安局泰山分局", ValidFrom: "20190308", ValidTo: idcard.Permanent}
	c.Photo = photo(c.IDNumber)
	return c
}

// CardFor is a card for the person with this name and 身份证号, as the
// demo hands each candidate their own: the birth date and sex are the
// number's (GB 11643: digits 7–14, and the 17th odd for a man), the rest
// the demo card's.
func CardFor(name, idNumber string) idcard.Card {
	c := DemoCard()
	c.Name, c.IDNumber, c.Photo = name, idNumber, photo(idNumber)
	if len(idNumber) == 18 {
		c.Birth = idNumber[6:14]
		c.Gender = "2"
		if (idNumber[16]-'0')%2 == 1 {
			c.Gender = "1"
		}
	}
	return c
}

// SetCard puts another card on the simulated ID-card reader (its
// scenario decides whether it reads). It returns an error for another
// kind of simulator.
func (s *Sim) SetCard(c idcard.Card) error {
	m, ok := s.server.(*cardModule)
	if !ok {
		return fmt.Errorf("%s simulator: not an ID-card reader", s.kind)
	}
	fresh := newCardModule("", &c)
	m.mu.Lock()
	m.info, m.expired = fresh.info, fresh.expired
	m.mu.Unlock()
	return nil
}

func photo(seed string) []byte {
	var out []byte
	h := sha256.Sum256([]byte(seed))
	for len(out) < idcard.PhotoLen {
		out = append(out, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return out[:idcard.PhotoLen]
}

// cardModule answers the security module's frames for one scenario:
// present (the card reads), absent (find answers 80), unreadable (found
// and selected, the read answers 41), expired (the card reads, and its
// validity ended 2020-03-08).
type cardModule struct {
	mu       sync.Mutex
	scenario string
	info     []byte // the card's information (30 01's data)
	expired  []byte // the same card, expired
}

func newCardModule(scenario string, card *idcard.Card) *cardModule {
	c := DemoCard()
	if card != nil {
		c = *card
	}
	m := &cardModule{scenario: scenario}
	m.info, _ = idcard.EncodeInfo(c) // a card whose fields do not fit reads as unreadable (nil)
	c.ValidFrom, c.ValidTo = "20100308", "20200308"
	m.expired, _ = idcard.EncodeInfo(c)
	return m
}

// SetScenario changes what the simulated ID-card reader holds: present,
// absent, unreadable or expired (an examiner swapping cards). It returns
// an error for another kind of simulator or an unknown scenario.
func (s *Sim) SetScenario(name string) error {
	m, ok := s.server.(*cardModule)
	if !ok {
		return fmt.Errorf("%s simulator: the scenario is set at start", s.kind)
	}
	if !slices.Contains(scenarios[s.kind], name) {
		return fmt.Errorf("%s simulator: unknown scenario %q (have %v)", s.kind, name, scenarios[s.kind])
	}
	m.mu.Lock()
	m.scenario = name
	m.mu.Unlock()
	return nil
}

// Serve answers requests read from rw until ctx ends or rw fails; a read
// of (0, nil) is a quiet line. Bytes that are not a valid request are
// skipped, as the module does.
func (m *cardModule) Serve(ctx context.Context, rw io.ReadWriter) error {
	var pending []byte
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		n, err := rw.Read(buf)
		pending = append(pending, buf[:n]...)
		for {
			body, used, derr := idcard.Decode(pending)
			pending = pending[used:]
			if body != nil {
				if resp := m.answer(body); resp != nil {
					if _, werr := rw.Write(resp); werr != nil {
						return werr
					}
				}
				continue
			}
			if derr == nil {
				break
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	return nil
}

func (m *cardModule) answer(body []byte) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	info := m.info
	if m.scenario == "expired" {
		info = m.expired
	}
	st, data := idcard.StatusCommand, []byte(nil)
	switch {
	case bytes.HasPrefix(body, idcard.CmdFind[:]):
		st, data = idcard.StatusFound, make([]byte, 4)
		if m.scenario == "absent" {
			st, data = idcard.StatusNoCard, nil
		}
	case bytes.HasPrefix(body, idcard.CmdSelect[:]):
		st, data = idcard.StatusOK, make([]byte, 8)
	case bytes.HasPrefix(body, idcard.CmdRead[:]):
		st, data = idcard.StatusOK, info
		if m.scenario == "unreadable" || info == nil {
			st, data = idcard.StatusReadFail, nil
		}
	}
	f, _ := idcard.Answer(st, data) // at most 1,284 bytes of data
	return f
}
