package tui

// The sign-in screen: the examiners sign in with their PINs.

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
)

// signInPage lists who may sign in and takes each one's PIN; on resume it
// can void the interrupted attempt, with a reason.
type signInPage struct {
	*shared
	area
	names  map[string]string // the examiners' names, read as the exam opened
	need   int               // how many must sign in
	sel    int
	pinFor string // whose PIN is being typed, "" when none
	pin    textinput.Model
	list   list.Model
}

// examinerItem is an examiner who may sign in, as an item of the list.
type examinerItem struct{ id, name string }

func (e examinerItem) FilterValue() string { return e.name + " " + e.id }

func newSignInPage(s *shared) *signInPage {
	p := &signInPage{shared: s, pin: textinput.New()}
	p.pin.EchoMode = textinput.EchoPassword
	p.pin.EchoCharacter = '•'
	p.pin.CharLimit = 12
	p.list = newRows(p.delegate(nil))
	return p
}

// delegate draws an examiner's row: name, masked ID, and ✓ once signed in.
func (p *signInPage) delegate(signed map[string]bool) rows {
	return rows{sel: p.styles.Selected, row: func(it list.Item) []string {
		e, _ := it.(examinerItem)
		line := fmt.Sprintf("  %s %s", pad(e.name, 8), maskID(e.id))
		if signed[e.id] {
			line += "  " + p.styles.Good.Render("✓ "+p.t("signed-in"))
		}
		return []string{line}
	}}
}

func (p *signInPage) Typing() bool { return p.pinFor != "" || p.reason.act == "void" }

// Update types a key into the PIN or the void's reason.
func (p *signInPage) Update(msg tea.Msg) tea.Cmd {
	if p.pinFor == "" {
		return p.typeReason(msg)
	}
	var cmd tea.Cmd
	p.pin, cmd = p.pin.Update(msg)
	return cmd
}

// Bindings are the sign-in keys: the list, the PIN, or the void's reason.
func (p *signInPage) Bindings() []binding {
	k := p.keys
	if p.pinFor != "" {
		return []binding{on(k.Enter, p.signIn), on(k.Back, func() tea.Cmd { p.endPin(); return nil })}
	}
	if p.reason.act == "void" {
		return p.reasonBindings(p.askVoid)
	}
	ids := signInList(p.exam)
	bs := []binding{
		on(k.Up, func() tea.Cmd { p.sel = max(p.sel-1, 0); return nil }),
		on(k.Down, func() tea.Cmd { p.sel = min(p.sel+1, max(len(ids)-1, 0)); return nil }),
		on(k.Enter, func() tea.Cmd {
			if len(ids) > 0 {
				p.pinFor = ids[p.sel]
				p.pin.Focus()
				p.setStatus(nil)
			}
			return nil
		}),
	}
	if p.exam != nil && p.exam.Resuming() != nil {
		bs = append(bs, on(k.Void, func() tea.Cmd { p.reason.start("void"); p.setStatus(nil); return nil }))
	}
	return append(bs, on(k.Back, func() tea.Cmd { p.exam = nil; p.goTo(scrStart); return nil }))
}

func (p *signInPage) endPin() {
	p.pinFor = ""
	p.pin.Reset()
	p.pin.Blur()
}

func (p *signInPage) signIn() tea.Cmd {
	id, pin, ex := p.pinFor, p.pin.Value(), p.exam
	p.pin.Reset()
	return p.run(call(func() (*station.SignedIn, error) { return ex.SignIn(context.Background(), id, pin) },
		func(x *station.SignedIn, err error) tea.Msg { return signedInMsg{x, err} }))
}

func (p *signInPage) askVoid(reason string) {
	ex := p.exam
	p.askFirst(fmt.Sprintf(p.t("sure-void"), reason),
		do(func() error { return ex.Void(context.Background(), reason) }, func(err error) tea.Msg { return voidedMsg{err} }))
}

// onOpened shows the sign-in of an exam just opened or resumed.
func (p *signInPage) onOpened(msg examOpenedMsg) tea.Cmd {
	p.exam, p.names, p.need, p.sel = msg.exam, msg.names, msg.need, 0
	p.goTo(scrSignIn)
	return nil
}

// onSignedIn: an examiner signed in; once enough have, the plan (or the
// interrupted item, when resuming).
func (p *signInPage) onSignedIn(msg signedInMsg) tea.Cmd {
	x := msg.x
	p.notice(fmt.Sprintf("%s %s %s (%s %s)", p.t("signed-in"), x.Examiner.Name, maskID(x.Examiner.ID), x.Certificate.Category, maskIDs(x.Certificate.Number)))
	p.endPin()
	p.nextToSignIn()
	if len(p.exam.Examiners()) < p.need {
		return nil
	}
	if ex := p.exam; ex.Resuming() != nil {
		return p.run(call(func() (*station.Item, error) { return ex.Continue(context.Background()) },
			func(it *station.Item, err error) tea.Msg { return continuedMsg{it, err} }))
	}
	p.goTo(scrPlan)
	return nil
}

// signInList is who may sign in: the plan's examiners, or on resume the
// examiners the interrupted log names.
func signInList(ex *station.Exam) []string {
	if ex == nil {
		return nil
	}
	if e := ex.ExpectedExaminers(); ex.Resuming() != nil && len(e) > 0 {
		return e
	}
	return ex.Plan().Examiners
}

// View lists the examiners, who has signed in, and the PIN or reason
// being typed.
func (p *signInPage) View() string {
	st := p.styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n\n", st.Header.Render(p.t("signin")), fmt.Sprintf(p.t("need-examiners"), p.need))
	signed := map[string]bool{}
	for _, x := range p.exam.Examiners() {
		signed[x.Examiner.ID] = true
	}
	var items []list.Item
	for _, id := range signInList(p.exam) {
		name := p.names[id]
		if name == "" {
			name = maskID(id)
		}
		items = append(items, examinerItem{id, name})
	}
	// A long list is shown a page at a time (the PIN or reason lines
	// below stay).
	if len(items) > 0 {
		b.WriteString(p.rowsView(&p.list, p.delegate(signed), items, p.sel, p.width, max(p.height-6, 1)) + "\n")
	}
	if p.pinFor != "" {
		fmt.Fprintf(&b, "\n%s %s: %s\n", p.t("pin"), maskID(p.pinFor), p.pin.View())
	}
	if p.reason.act == "void" {
		fmt.Fprintf(&b, "\n%s\n%s %s\n", p.t("void-why"), p.t("reason"), p.reason.input.View())
	}
	return b.String()
}

// nextToSignIn moves the cursor to the next examiner not signed in.
func (p *signInPage) nextToSignIn() {
	signed := map[string]bool{}
	for _, x := range p.exam.Examiners() {
		signed[x.Examiner.ID] = true
	}
	ids := signInList(p.exam)
	for i := range ids {
		if j := (p.sel + i) % len(ids); !signed[ids[j]] {
			p.sel = j
			return
		}
	}
}
