package tui

import "context"

func contextBG() context.Context { return context.Background() }
