package station

import "fmt"

// Refusal is a rule of the exam refusing an action. It carries the
// sentence for the examiner in Chinese and in English; Error is English
// (logs), Chinese is what the screen shows by default.
type Refusal struct {
	Code string // stable, for tests and logs: "cert-expired", "pin-wrong"...
	ZH   string
	EN   string
}

func (r *Refusal) Error() string { return r.EN }

// Text returns the sentence in lang ("zh" or "en").
func (r *Refusal) Text(lang string) string {
	if lang == "en" {
		return r.EN
	}
	return r.ZH
}

func refuse(code, zh, en string, args ...any) *Refusal {
	return &Refusal{Code: code, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}
