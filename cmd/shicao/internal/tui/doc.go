// Package tui is the exam station's terminal UI (Bubble Tea v1, lipgloss,
// bubbles) over the station workflow, the same Exam and Item methods the
// script driver calls.
//
// Each screen is a page (soft-serve's Component): start, sign-in, today's
// plan, identity check, draw and readiness, the live item, the sheet, the
// result and the outbox, each its own struct and file with Bindings,
// Update, View and SetSize. A page's bindings carry their handlers, so
// the one list dispatches its keys and draws its help bar (bubbles/help;
// ? for the full list). The root Model only routes keys and the
// workflow's typed answers and draws the frame; what the pages share (the
// open exam, the status line, the store's last answer, the device panels)
// is in shared.
//
// Store reads and workflow calls run in tea.Cmds, never in Update or
// View; a call that leads to another screen holds the keys typed
// meanwhile and replays them in order. The clock is passed in. Device
// readings arrive as messages (Program.Send from the equipment's
// goroutine). Text is Chinese by default, English with Lang "en", from
// one catalogue (i18n.go). Status is never shown by colour alone.
package tui
