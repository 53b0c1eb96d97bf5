package tui

// The identity screen: the candidate's ID card is read and matched against
// the plan (人证一致), or, when it cannot be read, the number is taken by
// hand for a reason the examiners confirm.

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
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

// keyIdentity reads the card, confirms the identity, or takes the number
// by hand.
func (m *Model) keyIdentity(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	if m.reasonFor == "manual" {
		return m.keyReason(msg, func(reason string) {
			// Each signed-in examiner confirms the number and the reason
			// (the attempt records them as confirming).
			id, ex := m.cand.IDNumber, m.exam
			j := do(func() error { _, err := ex.VerifyCandidateManual(ctx, id, reason); return err }, func(err error) tea.Msg { return verifiedMsg{err} })
			var first *asking
			exs := ex.Examiners()
			for i := len(exs) - 1; i >= 0; i-- {
				first = &asking{text: fmt.Sprintf(m.t("sure-manual"), i+1, exs[i].Examiner.Name, maskID(id), reason), job: j, next: first}
			}
			if first == nil {
				return
			}
			m.ask = first
			m.setStatus(nil)
		})
	}
	switch {
	case key.Matches(msg, m.keys.Back):
		m.card = nil
		m.goTo(scrPlan)
	case key.Matches(msg, m.keys.ReadCard):
		read := m.d.Card
		m.card = nil
		m.notice(m.t("card-reading"))
		return m.run(func() tea.Msg { c, err := read(ctx); return cardReadMsg{c, err} })
	case key.Matches(msg, m.keys.Scenario) && m.d.CardScenario != nil:
		// The demo's reader: the next card the candidate places.
		list := sim.Scenarios(hardware.KindIDCard)
		m.cardScen = (m.cardScen + 1) % len(list)
		next, set := list[m.cardScen], m.d.CardScenario
		m.card = nil
		text := fmt.Sprintf("%s %s: %s", m.t("scenario"), hardware.KindIDCard, next)
		return m.run(do(func() error { return set(next) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
	case key.Matches(msg, m.keys.Manual):
		m.startReason("manual")
	case key.Matches(msg, m.keys.Confirm) && m.d.Card == nil:
		// No reader at this station: the examiners check the card by eye.
		id := m.cand.IDNumber
		ex := m.exam
		return m.run(do(func() error { _, err := ex.VerifyCandidate(ctx, id); return err }, func(err error) tea.Msg { return verifiedMsg{err} }))
	case key.Matches(msg, m.keys.Confirm):
		if m.card == nil || m.card.why != nil {
			m.status, m.bad = m.t("card-first"), true
			return nil
		}
		// The card confirmed is the card shown: it is recorded as read.
		card, ex := m.card.card, m.exam
		m.card = nil
		return m.run(do(func() error {
			_, err := ex.IdentifyByCard(ctx, func(context.Context) (idcard.Card, error) { return card, nil })
			return err
		}, func(err error) tea.Msg { return verifiedMsg{err} }))
	}
	return nil
}

// onCardRead matches the card read against the plan and the candidate
// chosen on it.
func (m *Model) onCardRead(msg cardReadMsg) {
	if m.screen != scrIdentity || m.exam == nil || m.cand == nil {
		return
	}
	cs := &cardState{card: msg.card, why: m.exam.CheckCard(msg.card, msg.err)}
	if cs.why == nil && !strings.EqualFold(strings.TrimSpace(msg.card.IDNumber), m.cand.IDNumber) {
		cs.why = &station.Refusal{Code: "card-other",
			ZH: fmt.Sprintf(texts["card-other"].zh, maskID(msg.card.IDNumber), msg.card.Name, m.cand.Name),
			EN: fmt.Sprintf(texts["card-other"].en, maskID(msg.card.IDNumber), msg.card.Name, m.cand.Name)}
	}
	m.card = cs
	if cs.why != nil {
		m.setStatus(cs.why)
		return
	}
	m.notice(m.t("card-match"))
}

func (m *Model) viewIdentity() string {
	st := m.styles
	c := m.cand
	att := m.t("first")
	if c.Attempt > 1 {
		att = m.t("retake")
	}
	box := st.Box.Render(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s", m.t("candidate"), st.Value.Render(c.Name), m.t("id-number"), st.Value.Render(maskID(c.IDNumber)), m.t("attempt"), att))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", st.Header.Render(m.t("identity")), box)
	if cs := m.card; cs != nil {
		b.WriteString("\n" + m.cardLines(cs) + "\n")
	}
	if m.ask != nil {
		// What is confirmed, in full (the status line may clip it).
		fmt.Fprintf(&b, "\n%s\n", st.Warn.Width(max(m.w-1, 20)).Render("? "+m.ask.text))
		return b.String()
	}
	if m.reasonFor == "manual" {
		fmt.Fprintf(&b, "\n%s\n%s %s\n", m.t("manual-why"), m.t("reason"), m.reason.View())
		return b.String()
	}
	prompt := m.t("confirm-id")
	if m.d.Card != nil {
		prompt = m.t("confirm-card")
	}
	fmt.Fprintf(&b, "\n%s\n", prompt)
	return b.String()
}

// cardLines is the card read: its name, masked number and validity, and
// whether it matches the plan, in words.
func (m *Model) cardLines(cs *cardState) string {
	st := m.styles
	k := cs.card
	var lines []string
	if k.IDNumber != "" {
		to := k.ValidTo
		if to == idcard.Permanent {
			to = m.t("card-permanent")
		}
		lines = append(lines, fmt.Sprintf("%s  %s  %s  %s–%s", m.t("card"), st.Value.Render(k.Name), maskID(k.IDNumber), k.ValidFrom, to))
	}
	if cs.why != nil {
		// The reason in full, wrapped to the window: it says what to do.
		lines = append(lines, st.Bad.Width(max(m.w-1, 20)).Render("✗ "+maskIDs(cs.why.Text(m.lang))))
	} else {
		lines = append(lines, st.Good.Render("✓ "+m.t("card-match")))
	}
	return strings.Join(lines, "\n")
}
