package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/scoring"
)

// The answers of the workflow calls, each run in a tea.Cmd off the update
// loop. Every one carries the call's error; the refusal is shown in the
// status line.
type (
	// examOpenedMsg is an exam opened under a plan, with what its
	// sign-in shows: the examiners' names and how many must sign in.
	examOpenedMsg struct {
		exam  *station.Exam
		names map[string]string
		need  int
		err   error
	}
	// resumedMsg is an interrupted exam reopened.
	resumedMsg  examOpenedMsg
	signedInMsg struct {
		x   *station.SignedIn
		err error
	}
	continuedMsg struct {
		it  *station.Item
		err error
	}
	verifiedMsg struct{ err error }
	// voidedMsg: the interrupted attempt was voided.
	voidedMsg    struct{ err error }
	drawnMsg     struct{ err error }
	referenceMsg struct {
		kind string
		err  error
	}
	itemStartMsg struct {
		it  *station.Item
		err error
	}
	// itemTickMsg is the live sheet after the clock's tick, and whether
	// the item ended on it (the hard stop).
	itemTickMsg struct {
		ended bool
		sheet *scoring.Sheet
		err   error
	}
	markedMsg struct {
		seq int64
		err error
	}
	// sheetChangedMsg: an undo or a timer changed the live sheet.
	sheetChangedMsg struct{ err error }
	// itemEndedMsg: the item was finished or vetoed.
	itemEndedMsg struct{ err error }
	// signedOffMsg: a confirmation, the candidate's answer or the chief
	// examiner's decision was recorded.
	signedOffMsg struct{ err error }
	examSavedMsg struct {
		saved *station.Saved
		err   error
	}
	// slipMsg is what became of printing a result's score slip.
	slipMsg struct {
		resultID string
		out      *station.SlipOutcome
		err      error
	}
	// noticeMsg is a demo control's answer (scenario, unplug, power).
	noticeMsg struct {
		text string
		err  error
	}
)

// job is a workflow call and the message that answers it.
type job func() tea.Msg

// call is f answered with msg(v, err).
func call[T any](f func() (T, error), msg func(T, error) tea.Msg) job {
	return func() tea.Msg { return msg(f()) }
}

// do is f answered with msg(err).
func do(f func() error, msg func(error) tea.Msg) job {
	return func() tea.Msg { return msg(f()) }
}

// worker runs the workflow calls one at a time, in the order the keys
// came: Bubble Tea runs commands concurrently, so F5 F6 a typed quickly
// could otherwise reach the station as a, F5, F6 and the candidate's
// signature be refused.
type worker struct{ jobs chan func() }

func newWorker() *worker {
	w := &worker{jobs: make(chan func(), 256)}
	go func() {
		for j := range w.jobs {
			j()
		}
	}()
	return w
}

func errOf(msg tea.Msg) error {
	switch m := msg.(type) {
	case examOpenedMsg:
		return m.err
	case resumedMsg:
		return m.err
	case signedInMsg:
		return m.err
	case continuedMsg:
		return m.err
	case verifiedMsg:
		return m.err
	case voidedMsg:
		return m.err
	case drawnMsg:
		return m.err
	case referenceMsg:
		return m.err
	case itemStartMsg:
		return m.err
	case itemTickMsg:
		return m.err
	case markedMsg:
		return m.err
	case sheetChangedMsg:
		return m.err
	case itemEndedMsg:
		return m.err
	case signedOffMsg:
		return m.err
	case examSavedMsg:
		return m.err
	case slipMsg:
		return m.err
	case noticeMsg:
		return m.err
	}
	return nil
}
