package tui

import "context"

// contextBackground is for the few reads a view makes from the store (a
// row or two); workflow calls run in tea.Cmds.
func contextBackground() context.Context { return context.Background() }
