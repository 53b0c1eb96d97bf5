package tui

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
)

func maskID(id string) string { return station.MaskID(id) }

// idNumber is an ID number (18 characters, the last a digit or X) inside
// a longer text, such as a certificate number.
var idNumber = regexp.MustCompile(`\d{17}[\dX]`)

// maskIDs masks every ID number inside s: no screen shows one whole.
func maskIDs(s string) string { return idNumber.ReplaceAllStringFunc(s, maskID) }

// frame puts the title bar, the exam's context line, the status line and
// the help bar around a screen's body, clipped to the window. The context
// (who is marking, time left, the candidate) and every key of the screen
// stay on screen at 80x24.
func (m *Model) frame(body string) string {
	st := m.styles
	title := st.Title.Render(fmt.Sprintf("shicao %s · %s %s · %s %s · %s", m.t("title"), m.t("station"), m.d.Station.Name(), m.t("site"), m.d.Station.Site(), m.d.Station.Now().Format("2006-01-02 15:04:05")))
	if m.w < 100 {
		title = st.Title.Render(fmt.Sprintf("shicao · %s · %s · %s", m.d.Station.Name(), m.d.Station.Site(), m.d.Station.Now().Format("01-02 15:04:05")))
	}
	top := []string{title}
	if c := m.contextLine(); c != "" {
		top = append(top, c)
	}
	if m.d.DemoHint != "" {
		top = append(top, st.Dim.Render(fmt.Sprintf(m.t("demo-hint"), m.d.DemoHint, m.d.DemoDir)))
	}
	status := ""
	switch {
	case m.ask != nil:
		status = st.Warn.Render("? " + m.ask.text + " — " + m.t("yes-no"))
	case m.status != "" && m.bad:
		status = st.Bad.Render("✗ " + maskIDs(m.status))
	case m.status != "":
		status = st.Good.Render("✓ " + maskIDs(m.status))
	}
	help := helpLines(m.keysFor(), m.w, st.Help)
	if m.showHelp {
		body = m.fullHelp()
	}
	bodyLines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	room := max(m.h-len(top)-1-len(help), 1)
	if len(bodyLines) > room {
		bodyLines = bodyLines[:room]
	}
	for len(bodyLines) < room {
		bodyLines = append(bodyLines, "")
	}
	out := append(top, bodyLines...)
	out = append(out, status)
	out = append(out, help...)
	for i, l := range out {
		out[i] = clipLine(l, m.w)
	}
	return strings.Join(out, "\n")
}

// contextLine is what an examiner must always see once an exam is open:
// the candidate (ID masked), who is marking, and the time left.
func (m *Model) contextLine() string {
	if m.exam == nil {
		return ""
	}
	st := m.styles
	var parts []string
	if c := m.exam.Candidate(); c != nil {
		parts = append(parts, fmt.Sprintf("%s %s %s", m.t("candidate"), st.Value.Render(c.Name), maskID(c.IDNumber)))
	}
	if exs := m.exam.Examiners(); len(exs) > 0 {
		if m.screen == scrLive || m.screen == scrSheet {
			x := exs[min(m.active, len(exs)-1)]
			parts = append(parts, st.Value.Render(fmt.Sprintf("%s %d %s", m.t("examiner"), m.active+1, x.Examiner.Name)))
		} else {
			var names []string
			for _, x := range exs {
				names = append(names, x.Examiner.Name)
			}
			parts = append(parts, fmt.Sprintf("%s %s", m.t("examiner"), strings.Join(names, m.t("list-sep"))))
		}
	}
	if it := m.item; it != nil && m.screen == scrLive {
		limitMs, _ := it.Limits()
		el, limit := it.Elapsed(), time.Duration(limitMs)*time.Millisecond
		if el > limit {
			parts = append(parts, st.Bad.Render(fmt.Sprintf("⚠ %s +%s", m.t("overtime"), clock(el-limit))))
		} else {
			parts = append(parts, st.Value.Render(fmt.Sprintf("%s %s", m.t("left"), clock(limit-el))))
		}
	}
	return strings.Join(parts, " · ")
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
	p := m.plans[0]
	return fmt.Sprintf("%s %s (%d %s)", p.ID, p.Category, len(p.Candidates), m.t("candidates"))
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
		name := m.names[id]
		if name == "" {
			name = maskID(id)
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
	return b.String()
}

func (m *Model) candidateStatus(c store.Candidate) string {
	st := m.styles
	if m.exam != nil && m.exam.Candidate() != nil && m.exam.Candidate().IDNumber == c.IDNumber {
		return st.Warn.Render("▶ " + m.t("in-exam"))
	}
	for _, q := range m.queue {
		if r := q.Result; r != nil && r.Candidate == c.IDNumber {
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
	box := st.Box.Render(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s", m.t("candidate"), st.Value.Render(c.Name), m.t("id-number"), st.Value.Render(maskID(c.IDNumber)), m.t("attempt"), att))
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

// readiness is one device's line on the draw screen: ✓ only when the item
// could start with it now (connected, self-tested, registered to this
// site), else ✗ and StartItem's reason.
func (m *Model) readiness(kind string, devs []station.Device) string {
	st := m.styles
	if m.ready != nil {
		devs = m.ready.devs
	}
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
		case m.ready == nil:
			return st.Dim.Render(fmt.Sprintf("… %s %s %s: %s", kind, d.Model, d.Serial, m.t("device-check")))
		case m.ready.why[kind] != nil:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Serial, m.ready.why[kind].Text(m.lang)))
		}
		return st.Good.Render(fmt.Sprintf("✓ %s %s %s %s: %s", kind, d.Model, d.Serial, d.Port, m.t("ready")))
	}
	if m.ready != nil && m.ready.why[kind] != nil {
		return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, m.ready.why[kind].Text(m.lang)))
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
	timeLine := fmt.Sprintf("%s %s / %s %s", m.t("time"), clock(el), m.t("limit"), clock(limit))
	if el > limit {
		timeLine = st.Bad.Render(fmt.Sprintf("⚠ %s +%s  %s %s", m.t("overtime"), clock(el-limit), m.t("time"), clock(el)))
	}
	fmt.Fprintf(&b, "%s %s %s · %s\n", st.Header.Render(it.Subject), it.Std.ID, it.Std.Title, timeLine)
	score := "—"
	if m.sheet != nil {
		switch {
		case m.sheet.Veto != nil && m.vetoPending(m.sheet, el, limit):
			// A rule's veto (five cycles not reached) can still be
			// avoided while the item runs: it is decided at the end.
			score = st.Warn.Render(fmt.Sprintf("%s %s: %s", m.t("pending-veto"), m.t("veto"), m.sheet.Veto.Text)) + " " + st.Dim.Render("("+m.t("pending-veto-why")+")")
		case m.sheet.Veto != nil:
			score = m.sheet.Score.String() + " " + st.Bad.Render("✗ "+m.t("veto")+" "+m.sheet.Veto.Text)
		default:
			score = m.sheet.Score.String()
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
			left = append(left, m.deductionLine(d, "    "))
		}
		if m.sheet != nil && i < len(m.sheet.Items) {
			if own := m.ownMarks(m.sheet.Items[i]); own != "" {
				left = append(left, "    "+own)
			}
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
		fmt.Fprintf(&b, "%s\n", st.Bad.Render(fmt.Sprintf("✗ %s: %s (%s) %s", m.t("veto"), s.Veto.Text, m.vetoBy(s.Veto.By), evidenceText(s.Veto.Evidence, s.Veto.Times))))
	}
	var sum scoring.Points
	for _, it := range s.Items {
		sum += it.Score
		fmt.Fprintf(&b, " %s %s/%s\n", pad(it.Title, 24), it.Score, it.Points)
		for _, d := range it.Deductions {
			if d.By == "examiners" && it.Resolved != nil {
				continue // the chief examiner's decision replaces the marks
			}
			fmt.Fprintf(&b, "%s\n", m.deductionLine(d, "    "))
		}
		if own := m.ownMarks(it); own != "" {
			fmt.Fprintf(&b, "    %s\n", own)
		}
		if r := it.Resolved; r != nil {
			fmt.Fprintf(&b, "    %s\n", st.Warn.Render(fmt.Sprintf("%s -%s %s：%s（%s）[#%d]", m.t("resolved"), r.Deduct, m.t("reason"), r.Reason, m.examinerName(r.By), r.Seq)))
		}
	}
	sumLine := fmt.Sprintf("%s %s", m.t("total"), sum)
	if s.Overtime != nil {
		sumLine += fmt.Sprintf(" − %s %s", m.t("overtime"), s.Overtime.Points)
	}
	switch {
	case s.Refused:
		sumLine += " → 0 (" + m.t("refused") + ")"
	case s.Veto != nil:
		sumLine += " → 0 (" + m.t("veto") + ")"
	}
	fmt.Fprintf(&b, " %s = %s\n", sumLine, st.Value.Render(s.Score.String()))
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
						parts = append(parts, fmt.Sprintf("%s -%s", m.examinerName(x.Examiner), x.Deduct))
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
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+m.pendingText(p)))
	}
	return b.String()
}

// vetoBy says who vetoed: the standard's rule, or an examiner by name.
func (m *Model) vetoBy(by string) string {
	if by == "rule" {
		return m.t("by-rule")
	}
	return m.examinerName(by)
}

// vetoPending reports whether the sheet's veto may still be lifted: a
// rule's veto (a count not reached yet, e.g. CPR's five cycles) while the
// item runs within its limit. An examiner's veto, and any veto once the
// item has ended or its time is up, is final.
func (m *Model) vetoPending(s *scoring.Sheet, el, limit time.Duration) bool {
	return s.Veto != nil && s.Veto.By == "rule" && !s.Finished && el < limit
}

// deductionLine is one deduction with its evidence (event seq @ time); a
// deduction from the examiners' marks is their mean, and says so.
func (m *Model) deductionLine(d scoring.Deduction, indent string) string {
	st := m.styles
	mean := ""
	if d.By == "examiners" && m.exam != nil && len(m.exam.Examiners()) > 1 {
		mean = " (" + m.t("mean") + ")"
	}
	return st.Bad.Render(fmt.Sprintf("%s-%s %s ×%d%s", indent, d.Points, d.Text, d.Count, mean)) + " " + st.Dim.Render(evidenceText(d.Evidence, d.Times))
}

// ownMarks is each examiner's own deduction on an item, by name, and the
// mean that is scored (or the chief examiner's decision); empty when no
// examiner marked the item.
func (m *Model) ownMarks(it scoring.ItemScore) string {
	any := false
	for _, x := range it.Examiners {
		if x.Deduct != 0 {
			any = true
		}
	}
	if !any || len(it.Examiners) < 2 {
		return ""
	}
	var parts []string
	for i, x := range it.Examiners {
		parts = append(parts, fmt.Sprintf("%s %d %s -%s", m.t("examiner"), i+1, m.examinerName(x.Examiner), x.Deduct))
	}
	used := fmt.Sprintf("%s -%s", m.t("mean"), it.Manual)
	if it.Resolved != nil {
		used = fmt.Sprintf("%s -%s", m.t("resolved"), it.Resolved.Deduct)
	}
	return m.styles.Dim.Render(strings.Join(parts, " · ") + " → " + used)
}

// examinerName is a signed-in examiner's name, or the masked ID.
func (m *Model) examinerName(id string) string {
	id = strings.TrimPrefix(id, "examiner:") // an event's source
	if m.exam != nil {
		for _, x := range m.exam.Examiners() {
			if x.Examiner.ID == id {
				return x.Examiner.Name
			}
		}
	}
	return maskID(id)
}

// pendingText says in words what the item still waits for: the end, an
// examiner's confirmation (by name, never the full ID), the signature.
func (m *Model) pendingText(p []string) string {
	var out []string
	for _, x := range p {
		switch {
		case x == "end":
			out = append(out, m.t("wait-end"))
		case x == "ack":
			out = append(out, m.t("wait-ack"))
		case strings.HasPrefix(x, "confirm:"):
			out = append(out, fmt.Sprintf(m.t("wait-confirm"), m.examinerName(strings.TrimPrefix(x, "confirm:"))))
		default:
			out = append(out, x)
		}
	}
	return m.t("waiting-for") + " " + strings.Join(out, m.t("list-sep"))
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
	for _, q := range m.queue {
		if q.ResultID == r.ID && q.State == store.OutboxSent && q.Receipt {
			fmt.Fprintf(&b, "%s\n", st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", m.t("sent"), m.t("log-index"), q.LogIndex)))
		}
	}
	return b.String()
}

// viewSync is the outbox: each result with its candidate, when it was
// made, its state and, once the centre's receipt is verified, the
// receipt's log index; and when the centre was last reached. Nothing says
// "sent" before the receipt is verified.
func (m *Model) viewSync() string {
	st := m.styles
	var b strings.Builder
	reached := m.t("never-reached")
	if m.d.Sync != nil {
		if t := m.d.Sync.LastSync(); !t.IsZero() {
			reached = fmt.Sprintf(m.t("last-reached"), t.Format("2006-01-02 15:04:05"))
		}
	}
	link := st.Warn.Render("○ " + m.t("offline"))
	if m.d.Sync != nil && m.d.Sync.Online() {
		link = st.Good.Render("● " + m.t("online"))
	}
	fmt.Fprintf(&b, "%s  %s · %s\n\n", st.Header.Render(m.t("sync")), link, reached)
	for _, q := range m.queue {
		state := st.Warn.Render("… " + m.t("queued"))
		switch {
		case q.State == store.OutboxSent && q.Receipt:
			state = st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", m.t("sent"), m.t("log-index"), q.LogIndex))
		case q.State == store.OutboxParked:
			state = st.Bad.Render("✗ " + m.t("parked") + ": " + q.LastError)
		default:
			if q.LastError != "" {
				state += st.Dim.Render(fmt.Sprintf(" (%d: %s)", q.Attempts, q.LastError))
			}
		}
		who, when := "—", ""
		if r := q.Result; r != nil {
			who = m.candidateName(r.Candidate) + " " + maskID(r.Candidate)
			when = time.UnixMilli(r.CreatedMs).Format("15:04:05")
		}
		fmt.Fprintf(&b, "  %s %s %s\n      %s\n", st.Dim.Render(q.ResultID), pad(who, 28), when, state)
	}
	if len(m.queue) == 0 {
		b.WriteString("  —\n")
	}
	return b.String()
}

// candidateName is a candidate's name from today's plans, or "".
func (m *Model) candidateName(id string) string {
	for _, p := range m.plans {
		for _, c := range p.Candidates {
			if c.IDNumber == id {
				return c.Name
			}
		}
	}
	return ""
}
