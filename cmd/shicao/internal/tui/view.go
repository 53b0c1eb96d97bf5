package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
)

func maskID(id string) string { return station.MaskID(id) }

// frame puts the title bar, the status line and the help bar around a
// screen's body, clipped to the window.
func (m *Model) frame(body string) string {
	st := m.styles
	title := st.Title.Render(fmt.Sprintf("shicao %s · %s %s · %s %s · %s", m.t("title"), m.t("station"), m.d.Station.Name(), m.t("site"), m.d.Station.Site(), m.d.Station.Now().Format("2006-01-02 15:04:05")))
	if m.w < 100 {
		title = st.Title.Render(fmt.Sprintf("shicao · %s · %s · %s", m.d.Station.Name(), m.d.Station.Site(), m.d.Station.Now().Format("01-02 15:04:05")))
	}
	status := ""
	if m.status != "" {
		if m.bad {
			status = st.Bad.Render("✗ " + m.status)
		} else {
			status = st.Good.Render("✓ " + m.status)
		}
	}
	help := st.Help.Render(m.helpLine())
	bodyLines := strings.Split(body, "\n")
	room := max(m.h-3, 1)
	if len(bodyLines) > room {
		bodyLines = bodyLines[:room]
	}
	for len(bodyLines) < room {
		bodyLines = append(bodyLines, "")
	}
	out := append([]string{title}, bodyLines...)
	out = append(out, status, help)
	for i, l := range out {
		out[i] = clipLine(l, m.w)
	}
	return strings.Join(out, "\n")
}

// clipLine cuts a line to width display columns (CJK is two wide).
func clipLine(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(s)
}

// pad pads s with spaces to width display columns.
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

func (m *Model) helpLine() string {
	var bs []key.Binding
	k := m.keys
	switch m.screen {
	case scrStart:
		bs = []key.Binding{k.Enter, k.Resume, k.Sync, k.Lang, k.Quit}
		if len(m.plans) > 1 {
			bs = append([]key.Binding{k.Up, k.Down}, bs...)
		}
	case scrSignIn:
		bs = []key.Binding{k.Up, k.Down, k.Enter, k.Back, k.Quit}
	case scrPlan:
		bs = []key.Binding{k.Up, k.Down, k.Search, k.Enter, k.Quit}
	case scrIdentity:
		bs = []key.Binding{k.Confirm, k.Back}
	case scrDraw:
		bs = []key.Binding{k.Draw, k.Up, k.Down, k.Enter, k.Scenario, k.FinishExam}
	case scrLive:
		bs = []key.Binding{k.Up, k.Down, k.Tab, key.NewBinding(key.WithHelp("1-9", "扣分/mark")), k.Undo, k.Veto, k.Timer, k.Finish, k.Power, k.Scenario, k.Unplug}
	case scrSheet:
		bs = []key.Binding{k.Accept, k.Refuse, k.Examiner1, k.Examiner2, k.Resolve, k.Back}
	case scrResult:
		bs = []key.Binding{k.Print, k.Enter}
	case scrSync:
		bs = []key.Binding{k.Retry, k.Back}
	}
	var parts []string
	for _, b := range bs {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return strings.Join(parts, " · ")
}

func (m *Model) viewStart() string {
	st := m.styles
	var b strings.Builder
	link := st.Warn.Render("○ " + m.t("offline"))
	last := m.t("never")
	if m.d.Sync != nil {
		if m.d.Sync.Online() {
			link = st.Good.Render("● " + m.t("online"))
		}
		if t := m.d.Sync.LastSync(); !t.IsZero() {
			last = t.Format("15:04:05")
		}
	}
	fmt.Fprintf(&b, "%s %s   %s %s   %s %s   %s %s\n", st.Label.Render(m.t("date")), m.d.Station.Today(), st.Label.Render(m.t("centre")), link, st.Label.Render(m.t("last-sync")), last, st.Label.Render(m.t("plan")), m.planLine())
	if len(m.interrupted) > 0 {
		in := m.interrupted[0]
		fmt.Fprintf(&b, "%s\n", st.Banner.Render(fmt.Sprintf("⚠ %s — %s %s %s (%d)", m.t("interrupted"), maskID(in.Session.Candidate), in.Session.Subject, in.Session.Standard, in.Events)))
	}
	fmt.Fprintf(&b, "\n%s\n", st.Header.Render(m.t("equipment")))
	for _, d := range m.d.Equipment.Devices() {
		state := st.Good.Render("● " + m.t("connected"))
		if text, bad := m.portProblem(d); bad {
			state = st.Bad.Render("✗ " + text)
		} else if ds := m.dev[d.Kind]; (ds != nil && !ds.connected) || !d.Connected {
			state = st.Bad.Render("✗ " + m.t("lost"))
		}
		fmt.Fprintf(&b, "  %s %s %s %s %s\n", pad(d.Kind, 13), pad(d.Model, 15), pad(d.Serial, 13), state, st.Dim.Render(d.Port))
	}
	fmt.Fprintf(&b, "\n%s (%d)\n", st.Header.Render(m.t("standards")), len(m.standards))
	room := m.h - 12 - len(m.d.Equipment.Devices())
	for i, s := range m.standards {
		if i >= room && len(m.standards) > room {
			fmt.Fprintf(&b, "  %s\n", st.Dim.Render(fmt.Sprintf("… +%d", len(m.standards)-i)))
			break
		}
		fmt.Fprintf(&b, "  %s %s v%d %s %s\n", pad(s.ID, 13), pad(s.Kind, 9), s.Version, s.Effective, s.Title)
	}
	return b.String()
}

func (m *Model) planLine() string {
	if len(m.plans) == 0 {
		return "—"
	}
	p := m.plans[m.planSel]
	line := fmt.Sprintf("%s %s (%d %s)", p.ID, p.Category, len(p.Candidates), m.t("candidates"))
	if len(m.plans) > 1 {
		line += fmt.Sprintf(" ↑↓ %d/%d", m.planSel+1, len(m.plans))
	}
	return line
}

func (m *Model) viewSignIn() string {
	st := m.styles
	var b strings.Builder
	need := m.exam.RequiredExaminers(contextBackground())
	fmt.Fprintf(&b, "%s — %s\n\n", st.Header.Render(m.t("signin")), fmt.Sprintf(m.t("need-examiners"), need))
	signed := map[string]bool{}
	for _, x := range m.exam.Examiners() {
		signed[x.Examiner.ID] = true
	}
	for i, id := range m.signInList() {
		name := id
		if ex, err := m.d.Station.Store().ExaminerByID(contextBackground(), id); err == nil {
			name = ex.Name
		}
		line := fmt.Sprintf("  %s %s", pad(name, 8), maskID(id))
		if signed[id] {
			line += "  " + st.Good.Render("✓ "+m.t("signed-in"))
		}
		if i == m.signSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
	}
	if m.pinFor != "" {
		fmt.Fprintf(&b, "\n%s %s: %s\n", m.t("pin"), maskID(m.pinFor), m.pinInput.View())
	}
	if m.d.DemoHint != "" {
		fmt.Fprintf(&b, "\n%s\n", st.Dim.Render("demo PIN: "+m.d.DemoHint))
	}
	return b.String()
}

func (m *Model) candidateStatus(c store.Candidate) string {
	st := m.styles
	if m.exam != nil && m.exam.Candidate() != nil && m.exam.Candidate().IDNumber == c.IDNumber {
		return st.Warn.Render("▶ " + m.t("in-exam"))
	}
	for _, q := range m.queue {
		if r, err := m.d.Station.Store().ResultByID(contextBackground(), q.ResultID); err == nil && r.Candidate == c.IDNumber {
			if q.State == store.OutboxSent {
				return st.Good.Render("✓ " + m.t("synced"))
			}
			return st.Good.Render("✓ " + m.t("done"))
		}
	}
	return st.Dim.Render("· " + m.t("waiting"))
}

func (m *Model) viewPlan() string {
	st := m.styles
	var b strings.Builder
	p := m.exam.Plan()
	fmt.Fprintf(&b, "%s %s · %s · %s · %s\n", st.Header.Render(m.t("plan")), p.ID, p.Date, p.Category, p.Blueprint)
	fmt.Fprintf(&b, "%s: %s\n\n", m.t("search"), m.search.View())
	if len(m.filtered()) == 0 {
		fmt.Fprintf(&b, "  %s\n", st.Bad.Render("✗ "+m.t("no-candidate")))
	}
	for i, c := range m.filtered() {
		att := m.t("first")
		if c.Attempt > 1 {
			att = m.t("retake")
		}
		line := fmt.Sprintf("  %s %s %s %s", pad(c.Name, 8), maskID(c.IDNumber), pad(att, 6), m.candidateStatus(c))
		if i == m.candSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func (m *Model) viewIdentity() string {
	st := m.styles
	c := m.cand
	att := m.t("first")
	if c.Attempt > 1 {
		att = m.t("retake")
	}
	box := st.Box.Render(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s", m.t("candidates"), st.Value.Render(c.Name), "身份证号/ID", st.Value.Render(c.IDNumber), m.t("attempt"), att))
	return fmt.Sprintf("%s\n\n%s\n\n%s\n", st.Header.Render(m.t("identity")), box, m.t("confirm-id"))
}

func (m *Model) viewDraw() string {
	st := m.styles
	var b strings.Builder
	c := m.exam.Candidate()
	fmt.Fprintf(&b, "%s %s %s · %s\n\n", st.Header.Render(m.t("draw")), c.Name, maskID(c.IDNumber), m.exam.Blueprint().Title)
	drawn := m.exam.Drawn()
	if len(drawn) == 0 {
		fmt.Fprintf(&b, "%s\n", m.t("press-draw"))
		return b.String()
	}
	devs := m.d.Equipment.Devices()
	titleW := 0
	for _, d := range drawn {
		titleW = max(titleW, lipgloss.Width(d.Standard.Title))
	}
	for i, d := range drawn {
		state := st.Dim.Render("· " + m.t("waiting"))
		if it := m.exam.Item(d.Subject); it != nil {
			if it.Done() {
				s, _ := it.Sheet()
				state = st.Good.Render(fmt.Sprintf("✓ %s %s", m.t("done"), s.Score))
			} else {
				state = st.Warn.Render("▶ " + m.t("in-exam"))
			}
		}
		line := fmt.Sprintf("  %s %s v%d %s  %s", d.Subject, pad(d.Standard.ID, 11), d.Standard.Version, pad(d.Standard.Title, titleW), state)
		if i == m.subjSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
		if len(d.Standard.Devices) == 0 {
			fmt.Fprintf(&b, "      %s\n", st.Dim.Render(m.t("no-devices")))
		}
		for _, kind := range d.Standard.Devices {
			fmt.Fprintf(&b, "      %s\n", m.readiness(kind, devs))
		}
	}
	return b.String()
}

// readiness is one device's self-test line.
func (m *Model) readiness(kind string, devs []station.Device) string {
	st := m.styles
	for _, d := range devs {
		if d.Kind != kind {
			continue
		}
		text, bad := m.portProblem(d)
		switch {
		case bad:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, text))
		case !d.Connected:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, m.t("lost")))
		case d.SelfTest != nil:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %v", kind, d.Serial, d.SelfTest))
		}
		return st.Good.Render(fmt.Sprintf("✓ %s %s %s %s: %s", kind, d.Model, d.Serial, d.Port, m.t("ready")))
	}
	return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, m.t("not-ready")))
}

func clock(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	return fmt.Sprintf("%s%d:%02d", neg, int(d.Minutes()), int(d.Seconds())%60)
}

func (m *Model) viewLive() string {
	st := m.styles
	it := m.item
	var b strings.Builder
	limitMs, _ := it.Limits()
	el := it.Elapsed()
	limit := time.Duration(limitMs) * time.Millisecond
	timeLine := fmt.Sprintf("%s %s / %s %s  (%s %s)", m.t("time"), clock(el), m.t("limit"), clock(limit), m.t("left"), clock(limit-el))
	if el > limit {
		timeLine = st.Bad.Render(fmt.Sprintf("⚠ %s +%s  %s %s", m.t("overtime"), clock(el-limit), m.t("time"), clock(el)))
	}
	exs := m.exam.Examiners()
	who := ""
	if len(exs) > 0 {
		x := exs[min(m.active, len(exs)-1)]
		who = fmt.Sprintf("%s %d %s", m.t("examiner"), m.active+1, x.Examiner.Name)
	}
	fmt.Fprintf(&b, "%s %s %s · %s · %s\n", st.Header.Render(it.Subject), it.Std.ID, it.Std.Title, timeLine, st.Value.Render(who))
	score := "—"
	if m.sheet != nil {
		score = m.sheet.Score.String()
		if m.sheet.Veto != nil {
			score += " " + st.Bad.Render("✗ "+m.t("veto")+" "+m.sheet.Veto.Text)
		}
	}
	fmt.Fprintf(&b, "%s %s\n", m.t("score"), st.Value.Render(score))
	// Items with live points; the selected one lists its marks by number.
	leftW := m.w
	if m.w >= 100 {
		leftW = m.w / 2
	}
	var left []string
	for i, sit := range it.Std.Items {
		sc := "—"
		var deds []scoring.Deduction
		if m.sheet != nil && i < len(m.sheet.Items) {
			sc = m.sheet.Items[i].Score.String()
			deds = m.sheet.Items[i].Deductions
		}
		line := fmt.Sprintf(" %s %s/%s", pad(sit.Title, 22), pad(sc, 4), sit.Points)
		if i == m.itemSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		left = append(left, line)
		for _, d := range deds {
			left = append(left, st.Bad.Render(fmt.Sprintf("    -%s %s ×%d", d.Points, d.Text, d.Count)))
		}
		if i == m.itemSel && !m.vetoing {
			for j, mk := range sit.Marks {
				if j >= 9 {
					break
				}
				left = append(left, st.Dim.Render(fmt.Sprintf("    [%d] %s -%s", j+1, mk.Text, mk.Deduct)))
			}
		}
	}
	if m.vetoing {
		left = append(left, st.Warn.Render(" "+m.t("veto")+":"))
		for j, v := range markableVetoes(it.Std) {
			left = append(left, st.Warn.Render(fmt.Sprintf("    [%d] %s", j+1, it.Std.VetoByID(v).Text)))
		}
	}
	var right []string
	for _, kind := range it.Std.Devices {
		ds := m.dev[kind]
		if ds == nil {
			ds = &deviceState{}
		}
		state := st.Good.Render("● " + m.t("connected"))
		if !ds.connected {
			state = st.Bad.Render("✗ " + m.t("lost"))
		}
		sc := ""
		if ds.scenario != "" {
			sc = " " + st.Dim.Render("["+ds.scenario+"]")
		}
		right = append(right, fmt.Sprintf("%s %s%s", st.Header.Render(kind), state, sc))
		if kind == "cpr" {
			right = append(right, m.cprPanel(ds, leftW)...)
		} else {
			right = append(right, m.genericPanel(kind, ds)...)
		}
	}
	if m.w >= 100 {
		rows := max(len(left), len(right))
		for i := 0; i < rows; i++ {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			b.WriteString(pad(clipLine(l, leftW-1), leftW) + r + "\n")
		}
	} else {
		b.WriteString(strings.Join(right, "\n") + "\n")
		b.WriteString(strings.Join(left, "\n") + "\n")
	}
	return b.String()
}

func (m *Model) viewSheet() string {
	st := m.styles
	var b strings.Builder
	s := m.sheet
	if s == nil {
		return ""
	}
	verdict := st.Bad.Render("✗ " + m.t("fail"))
	if s.Passed {
		verdict = st.Good.Render("✓ " + m.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s %s · %s %s %s · %s %s\n", st.Header.Render(m.t("sheet")), s.ID, s.Title, m.t("score"), st.Value.Render(s.Score.String()), verdict, m.t("time"), clock(time.Duration(s.ElapsedMs)*time.Millisecond))
	if s.Veto != nil {
		fmt.Fprintf(&b, "%s\n", st.Bad.Render(fmt.Sprintf("✗ %s: %s (%s) %s", m.t("veto"), s.Veto.Text, s.Veto.By, evidenceText(s.Veto.Evidence, s.Veto.Times))))
	}
	for _, it := range s.Items {
		fmt.Fprintf(&b, " %s %s/%s\n", pad(it.Title, 24), it.Score, it.Points)
		for _, d := range it.Deductions {
			fmt.Fprintf(&b, "    -%s %s ×%d %s\n", d.Points, d.Text, d.Count, st.Dim.Render(evidenceText(d.Evidence, d.Times)))
		}
	}
	if s.Overtime != nil {
		fmt.Fprintf(&b, " %s -%s\n", m.t("overtime"), s.Overtime.Points)
	}
	for _, o := range s.Outages {
		fmt.Fprintf(&b, " %s\n", st.Warn.Render("⚠ "+m.outageText(o)))
	}
	if s.NeedsReview {
		fmt.Fprintf(&b, "%s: %s\n", st.Warn.Render("⚠ "+m.t("review")), strings.Join(s.Review, ", "))
		for _, it := range s.Items {
			for _, rid := range s.Review {
				if it.ID == rid {
					var parts []string
					for _, x := range it.Examiners {
						parts = append(parts, fmt.Sprintf("%s -%s", x.Examiner, x.Deduct))
					}
					fmt.Fprintf(&b, "   %s: %s\n", it.Title, strings.Join(parts, ", "))
				}
			}
		}
	}
	if m.resolving {
		fmt.Fprintf(&b, "%s %s  %s %s\n", m.t("deduct"), m.resolveInputs[0].View(), m.t("reason"), m.resolveInputs[1].View())
	}
	switch {
	case s.Refused:
		fmt.Fprintf(&b, "%s\n", st.Bad.Render("✗ "+m.t("refused")))
	case s.Acknowledged != nil:
		fmt.Fprintf(&b, "%s\n", st.Good.Render("✓ "+m.t("acked")))
	default:
		// The candidate signs last: until they may, the line says why
		// the a key would be refused.
		if why := m.item.AckBlocked(); why != nil {
			fmt.Fprintf(&b, "%s\n", st.Warn.Render("⏳ "+m.t("ack-wait")+" "+why.Text(m.lang)))
		} else {
			fmt.Fprintf(&b, "%s\n", m.t("ack"))
		}
	}
	if p := m.item.Pending(); len(p) > 0 {
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+strings.Join(p, " ")))
	}
	return b.String()
}

// outageText says when a device was lost and back, and for how long.
func (m *Model) outageText(o scoring.Outage) string {
	at := func(ms int64) string { return clock(time.Duration(ms) * time.Millisecond) }
	secs := float64(o.DurationMs) / 1000
	if o.BackSeq == 0 {
		return fmt.Sprintf(m.t("outage-open"), o.Device, at(o.LostMs), secs)
	}
	return fmt.Sprintf(m.t("outage"), o.Device, at(o.LostMs), at(o.BackMs), secs)
}

func evidenceText(seqs, times []int64) string {
	if len(seqs) == 0 {
		return ""
	}
	var parts []string
	for i, s := range seqs {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("+%d", len(seqs)-4))
			break
		}
		if i < len(times) {
			parts = append(parts, fmt.Sprintf("#%d@%s", s, clock(time.Duration(times[i])*time.Millisecond)))
		} else {
			parts = append(parts, fmt.Sprintf("#%d", s))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (m *Model) viewResult() string {
	st := m.styles
	var b strings.Builder
	r := m.saved
	verdict := st.Bad.Render("✗ " + m.t("fail"))
	if r.Passed {
		verdict = st.Good.Render("✓ " + m.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s\n\n", st.Header.Render(m.t("result")), r.ID)
	for _, s := range r.Doc.Paper.Subjects {
		v := ""
		if s.Vetoed {
			v = st.Bad.Render(" ✗ " + m.t("veto"))
		}
		fmt.Fprintf(&b, "  %s %s %s × %s%% = %s%s\n", s.Subject, pad(s.Item, 11), pad(s.Score.String(), 4), s.Weight, s.Weighted, v)
	}
	fmt.Fprintf(&b, "\n  %s %s %s\n\n%s\n", m.t("total"), st.Value.Render(r.Total.String()), verdict, m.t("saved"))
	switch {
	case m.slip == nil && !m.d.Station.HasPrinter():
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+m.t("slip-no-printer")))
	case m.slip == nil:
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+m.t("slip-printing")))
	case m.slip.Printed:
		fmt.Fprintf(&b, "%s\n", st.Good.Render("✓ "+m.t("slip-printed")))
	default:
		fmt.Fprintf(&b, "%s\n", st.Warn.Render("… "+m.t("slip-queued")+": "+m.slip.Reason.Text(m.lang)))
	}
	for _, q := range m.queue {
		if q.ResultID == r.ID && q.State == store.OutboxSent {
			fmt.Fprintf(&b, "%s\n", st.Good.Render("✓ "+m.t("sent")))
		}
	}
	return b.String()
}

func (m *Model) viewSync() string {
	st := m.styles
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", st.Header.Render(m.t("sync")))
	for _, q := range m.queue {
		state := st.Warn.Render("… " + m.t("queued"))
		switch q.State {
		case store.OutboxSent:
			state = st.Good.Render("✓ " + m.t("sent"))
		case store.OutboxParked:
			state = st.Bad.Render("✗ " + m.t("parked") + ": " + q.LastError)
		default:
			if q.LastError != "" {
				state += st.Dim.Render(fmt.Sprintf(" (%d: %s)", q.Attempts, q.LastError))
			}
		}
		fmt.Fprintf(&b, "  %s %s\n", q.ResultID, state)
	}
	if len(m.queue) == 0 {
		b.WriteString("  —\n")
	}
	return b.String()
}
