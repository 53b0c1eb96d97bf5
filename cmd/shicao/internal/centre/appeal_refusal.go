package centre

import (
	"fmt"
	"net/http"

	examsync "shicao/sync"
)

// AppealRefusal is an appeal step the centre refuses: a stable code
// (CodeAppeal*) and the sentence in Chinese and English, as
// station.Refusal has. It unwraps to the examsync.Refusal (422) the
// English sentence makes, so that callers which branch on that keep
// working and its Error is the same text.
type AppealRefusal struct {
	Code string
	ZH   string
	EN   string
}

func (r *AppealRefusal) Error() string { return r.Unwrap().Error() }

// Unwrap is the refusal as the API's type.
func (r *AppealRefusal) Unwrap() error {
	return &examsync.Refusal{Status: http.StatusUnprocessableEntity, Code: r.Code, Reason: r.EN}
}

// Text returns the sentence in lang ("en", else Chinese).
func (r *AppealRefusal) Text(lang string) string {
	if lang == "en" {
		return r.EN
	}
	return r.ZH
}

// refuseAppeal returns a refusal whose Chinese and English formats take
// the same arguments in the same order.
func refuseAppeal(code, zh, en string, args ...any) *AppealRefusal {
	return &AppealRefusal{Code: code, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}
