package tui

// The identity screen: the candidate's ID card is read and matched against
// the plan (人证一致), or, when it cannot be read, the number is taken by
// hand for a reason the examiners confirm.

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/hardware"
	"shicao/hardware/idcard"
	"shicao/hardware/sim"
)

// cardState is the last read of the ID card on the identity screen: the
// card, and why it cannot identify the selected candidate (nil: it can).
type cardState struct {
	card idcard.Card
	why  *station.Refusal
}

// cardReadMsg is the reader's answer.
type cardReadMsg struct {
	card idcard.Card
	err  error
}

// identityPage reads the candidate's card and confirms the identity, or
// takes the number by hand for a reason each examiner confirms.
type identityPage struct {
	*shared
	area
	card *cardState // the card read, nil before
}

func (p *identityPage) Typing() bool { return p.reason.act == "manual" }

// Update types a key into the reason.
func (p *identityPage) Update(msg tea.Msg) tea.Cmd { return p.typeReason(msg) }

// Bindings are the identity check's keys, or the reason's while it is
// typed.
func (p *identityPage) Bindings() []binding {
	k := p.keys
	if p.reason.act == "manual" {
		return p.reasonBindings(p.askManual)
	}
	var bs []binding
	if p.d.Card != nil {
		bs = []binding{on(k.ReadCard, p.readCard)}
	}
	bs = append(bs, on(k.Confirm, p.confirm),
		on(k.Manual, func() tea.Cmd { p.reason.start("manual"); p.setStatus(nil); return nil }))
	if p.d.CardScenario != nil {
		bs = append(bs, on(k.Scenario, p.nextCard))
	}
	return append(bs, on(k.Back, func() tea.Cmd { p.card = nil; p.goTo(scrPlan); return nil }))
}

// askManual has each signed-in examiner confirm the number taken by hand
// and its reason (the attempt records them as confirming).
func (p *identityPage) askManual(reason string) {
	id, ex := p.cand.IDNumber, p.exam
	j := do(func() error { _, err := ex.VerifyCandidateManual(context.Background(), id, reason); return err }, func(err error) tea.Msg { return verifiedMsg{err} })
	var first *asking
	exs := ex.Examiners()
	for i := len(exs) - 1; i >= 0; i-- {
		first = &asking{text: fmt.Sprintf(p.t("sure-manual"), i+1, exs[i].Examiner.Name, maskID(id), reason), job: j, next: first}
	}
	if first == nil {
		return
	}
	p.ask = first
	p.setStatus(nil)
}

func (p *identityPage) readCard() tea.Cmd {
	read := p.d.Card
	p.card = nil
	p.notice(p.t("card-reading"))
	return p.run(func() tea.Msg { c, err := read(context.Background()); return cardReadMsg{c, err} })
}

// nextCard is the demo reader's next card, the one the candidate places.
func (p *identityPage) nextCard() tea.Cmd {
	list := sim.Scenarios(hardware.KindIDCard)
	p.cardScen = (p.cardScen + 1) % len(list)
	next, set := list[p.cardScen], p.d.CardScenario
	p.card = nil
	text := p.t("card-holds") + p.t("card-"+next)
	return p.run(do(func() error { return set(next) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
}

// confirm is y: with no reader, the examiners checked the card by eye;
// with one, the card read and matched is recorded as read.
func (p *identityPage) confirm() tea.Cmd {
	ctx := context.Background()
	ex := p.exam
	if p.d.Card == nil {
		id := p.cand.IDNumber
		return p.run(do(func() error { _, err := ex.VerifyCandidate(ctx, id); return err }, func(err error) tea.Msg { return verifiedMsg{err} }))
	}
	if p.card == nil || p.card.why != nil {
		p.status, p.bad = p.t("card-first"), true
		return nil
	}
	card := p.card.card
	p.card = nil
	return p.run(do(func() error {
		_, err := ex.IdentifyByCard(ctx, func(context.Context) (idcard.Card, error) { return card, nil })
		return err
	}, func(err error) tea.Msg { return verifiedMsg{err} }))
}

// onCardRead matches the card read against the plan and the candidate
// chosen on it.
func (p *identityPage) onCardRead(msg cardReadMsg) {
	if p.screen != scrIdentity || p.exam == nil || p.cand == nil {
		return
	}
	cs := &cardState{card: msg.card, why: p.exam.CheckCard(msg.card, msg.err)}
	if cs.why == nil && !strings.EqualFold(strings.TrimSpace(msg.card.IDNumber), p.cand.IDNumber) {
		cs.why = &station.Refusal{Code: "card-other",
			ZH: fmt.Sprintf(texts["card-other"].zh, maskID(msg.card.IDNumber), msg.card.Name, p.cand.Name),
			EN: fmt.Sprintf(texts["card-other"].en, maskID(msg.card.IDNumber), msg.card.Name, p.cand.Name)}
	}
	p.card = cs
	if cs.why != nil {
		p.setStatus(cs.why)
		return
	}
	p.notice(p.t("card-match"))
}

// View is the candidate, the card read and what to do next.
func (p *identityPage) View() string {
	st := p.styles
	c := p.cand
	att := p.t("first")
	if c.Attempt > 1 {
		att = p.t("retake")
	}
	box := st.Box.Render(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s", p.t("candidate"), st.Value.Render(c.Name), p.t("id-number"), st.Value.Render(maskID(c.IDNumber)), p.t("attempt"), att))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", st.Header.Render(p.t("identity")), box)
	if cs := p.card; cs != nil {
		b.WriteString("\n" + p.cardLines(cs) + "\n")
	}
	if p.ask != nil {
		// What is confirmed, in full (the status line may clip it).
		fmt.Fprintf(&b, "\n%s\n", message(st.Warn, p.lang, p.width-1, "? "+p.ask.text))
		return b.String()
	}
	if p.reason.act == "manual" {
		fmt.Fprintf(&b, "\n%s\n%s %s\n", p.t("manual-why"), p.t("reason"), p.reason.input.View())
		return b.String()
	}
	prompt := p.t("confirm-id")
	if p.d.Card != nil {
		prompt = p.t("confirm-card")
	}
	fmt.Fprintf(&b, "\n%s\n", prompt)
	return b.String()
}

// cardLines is the card read: its name, masked number and validity, and
// whether it matches the plan, in words.
func (p *identityPage) cardLines(cs *cardState) string {
	st := p.styles
	k := cs.card
	var lines []string
	if k.IDNumber != "" {
		to := k.ValidTo
		if to == idcard.Permanent {
			to = p.t("card-permanent")
		}
		lines = append(lines, fmt.Sprintf("%s  %s  %s  %s–%s", p.t("card"), st.Value.Render(k.Name), maskID(k.IDNumber), k.ValidFrom, to))
	}
	if cs.why != nil {
		// The reason in full, wrapped to the window: it says what to do.
		lines = append(lines, message(st.Bad, p.lang, p.width-1, "✗ "+maskIDs(cs.why.Text(p.lang))))
	} else {
		lines = append(lines, st.Good.Render("✓ "+p.t("card-match")))
	}
	return strings.Join(lines, "\n")
}
