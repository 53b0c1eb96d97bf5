package tui

// What the live screen and the sheet both show of the examiners' marks.

import (
	"fmt"
	"strings"

	"shicao/scoring"
)

// deductionLine is one deduction with its evidence (event seq @ time); a
// deduction from the examiners' marks is their mean, and says so.
func (m *shared) deductionLine(d scoring.Deduction, indent string) string {
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
func (m *shared) ownMarks(it scoring.ItemScore) string {
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
func (m *shared) examinerName(id string) string {
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
