// Package tui is the exam station's terminal UI (Bubble Tea v1, lipgloss,
// bubbles): one root model with a sub-view per screen — start, sign-in,
// today's plan and identity check, draw and readiness, the live item, the
// sheet, the result and the outbox — over the station workflow, the same
// Exam and Item methods the script driver calls.
//
// I/O runs in tea.Cmds; Update stays cheap; the clock is passed in. Device
// readings arrive as messages (Program.Send from the equipment's
// goroutine). Text is Chinese by default, English with Lang "en". Status
// is never shown by colour alone.
package tui
