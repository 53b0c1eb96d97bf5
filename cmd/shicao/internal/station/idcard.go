package station

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/store"
	"shicao/hardware/idcard"
	examsync "shicao/sync"
)

// validIDNumber is credential.ValidIDNumber with its error as a Refusal
// (the same code and sentences), as the station's screens show refusals.
func validIDNumber(s string) (string, *Refusal) {
	id, bad := credential.ValidIDNumber(s)
	if bad != nil {
		return "", &Refusal{Code: bad.Code, ZH: bad.ZH, EN: bad.EN}
	}
	return id, nil
}

// CardRead reads the card on the station's ID-card reader
// (driver.ReadCard on its port; a fake in tests). It returns
// idcard.ErrNoCard, idcard.ErrUnreadable or idcard.ErrText as the reader
// does.
type CardRead func(ctx context.Context) (idcard.Card, error)

// IdentifyByCard reads the candidate's ID card and identifies them: the
// candidate on the plan with the card's 身份证号, whose name is the card's
// name, and whose card is valid on the exam date. Then it starts the
// attempt as VerifyCandidate does (and refuses what it refuses). Its
// refusals: card-absent (no card on the reader), card-unreadable,
// card-reader (the reader does not answer), card-name (人证不一致: the
// card's name is not the plan's), card-expired, card-not-yet-valid.
func (e *Exam) IdentifyByCard(ctx context.Context, read CardRead) (*store.Candidate, error) {
	if need := e.RequiredExaminers(ctx); len(e.examiners) < need {
		return nil, refuse("examiners-missing", "需要%d名考评员登录，已登录%d名", "%d examiners must sign in; %d have", need, len(e.examiners))
	}
	card, err := read(ctx)
	if why := e.CheckCard(card, err); why != nil {
		return nil, why
	}
	id, _ := validIDNumber(card.IDNumber)
	c, err := e.VerifyCandidate(ctx, id)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(card.Photo)
	e.identity = &examsync.Identity{Method: examsync.IdentityCard, IDNumber: id, Name: card.Name, Gender: card.Gender, Nation: card.Nation, Birth: card.Birth,
		Authority: card.Authority, ValidFrom: card.ValidFrom, ValidTo: card.ValidTo, PhotoSHA256: hex.EncodeToString(sum[:]), ConfirmedBy: []string{}}
	e.photo = card.Photo
	return c, nil
}

// CheckCard is what IdentifyByCard refuses of a card read (the card and
// the reader's error), without starting the attempt: the identity screen
// shows it before the examiners confirm. nil means the card is readable,
// its number valid, its name the plan's for that number, and it is valid
// on the exam date.
func (e *Exam) CheckCard(card idcard.Card, err error) *Refusal {
	switch {
	case errors.Is(err, idcard.ErrNoCard):
		return refuse("card-absent", "阅读器上没有身份证：请考生将身份证放在阅读器上", "there is no card on the reader: the candidate places their ID card on it")
	case errors.Is(err, idcard.ErrUnreadable), errors.Is(err, idcard.ErrText):
		return refuse("card-unreadable", "身份证无法读取：请重新放置；仍无法读取时，考评员核对证件后手工录入身份证号并写明理由", "the ID card cannot be read: place it again; if it still fails, the examiners check the card and enter the number by hand with a reason")
	case err != nil:
		return refuse("card-reader", "身份证阅读器无响应：检查阅读器连接，或由考评员手工录入身份证号并写明理由（%v）", "the ID-card reader does not answer: check its cable, or the examiners enter the number by hand with a reason (%v)", err)
	}
	id, bad := validIDNumber(card.IDNumber)
	if bad != nil {
		return bad
	}
	for _, c := range e.plan.Candidates {
		if c.IDNumber == id && strings.TrimSpace(c.Name) != strings.TrimSpace(card.Name) {
			return refuse("card-name", "人证不一致：身份证 %s 的姓名是 %s，考试计划中该身份证号的考生是 %s", "the card does not match the plan: card %s is in the name of %s, the plan's candidate with that number is %s",
				MaskID(id), card.Name, c.Name)
		}
	}
	return cardValidOn(card, e.plan.Date)
}

// cardValidOn checks the card's validity dates against the exam date
// (YYYY-MM-DD); an end of 长期 has no end.
func cardValidOn(card idcard.Card, date string) *Refusal {
	day := strings.ReplaceAll(date, "-", "")
	if card.ValidFrom != "" && day < card.ValidFrom {
		return refuse("card-not-yet-valid", "身份证有效期自 %s 起，考试日期 %s 尚未生效", "the ID card is valid from %s, after the exam date %s", card.ValidFrom, date)
	}
	if card.ValidTo != idcard.Permanent && (len(card.ValidTo) != 8 || card.ValidTo < day) {
		return refuse("card-expired", "身份证有效期至 %s，已过期：不能用于身份核验，请考生出示有效证件后由考评员手工录入并写明理由", "the ID card expired on %s: it cannot identify the candidate; with a valid document the examiners enter the number by hand with a reason",
			card.ValidTo)
	}
	return nil
}

// VerifyCandidateManual identifies the candidate by a 身份证号 typed in,
// when the card cannot be read: reason says why (a damaged card, a reader
// fault, a temporary ID), and the signed-in examiners confirm it (they
// are recorded as confirming). It refuses an empty reason
// (manual-reason), and what VerifyCandidate refuses. The result and the
// centre mark the attempt as identified by hand.
func (e *Exam) VerifyCandidateManual(ctx context.Context, idNumber, reason string) (*store.Candidate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, refuse("manual-reason", "手工录入身份证号须写明理由（如：证件损坏、阅读器故障、临时身份证），由考评员确认", "entering the number by hand needs a reason (a damaged card, a reader fault, a temporary ID card) that the examiners confirm")
	}
	c, err := e.VerifyCandidate(ctx, idNumber)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(e.examiners))
	for i, x := range e.examiners {
		ids[i] = x.Examiner.ID
	}
	e.identity = &examsync.Identity{Method: examsync.IdentityManual, IDNumber: c.IDNumber, Reason: reason, ConfirmedBy: ids}
	return c, nil
}

// Identity returns how the candidate was identified, or nil (a candidate
// verified by VerifyCandidate alone records none).
func (e *Exam) Identity() *examsync.Identity { return e.identity }

// CardPhoto returns the encoded photo read from the card (for the
// station's screen); it is never sent.
func (e *Exam) CardPhoto() []byte { return e.photo }
