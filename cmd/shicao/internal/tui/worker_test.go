package tui

import (
	"testing"
	"testing/synctest"

	tea "github.com/charmbracelet/bubbletea"
)

// TestModel_RunInKeyOrder: the workflow calls run in the order their keys
// came, whatever order Bubble Tea runs the commands in: F5 F6 a typed
// back to back must not reach the station as a before F5 (the candidate's
// signature refused; seen in the tmux walk).
func TestModel_RunInKeyOrder(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		m := &shared{work: newWorker()}
		release := make(chan struct{})
		var order []string
		confirm := m.run(func() tea.Msg { <-release; order = append(order, "F5"); return nil })
		sign := m.run(func() tea.Msg { order = append(order, "a"); return nil })
		// Bubble Tea may run the later command first.
		go sign()
		go confirm()
		synctest.Wait()
		if len(order) != 0 {
			t.Fatalf("the signature ran while the confirmation was still running: %v", order)
		}
		close(release)
		synctest.Wait()
		if len(order) != 2 || order[0] != "F5" || order[1] != "a" {
			t.Fatalf("calls ran as %v, want [F5 a]", order)
		}
		close(m.work.jobs)
	})
}
