package tui

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLang_OneScript (issue 16): a walk through every screen, each with
// its `?` help, at 80x24 and 120x40: in English no Chinese is shown but
// the exam's own data (names, standards' titles and texts, the plan), and
// in Chinese no English word but key names, units and the same data.
func TestLang_OneScript(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, lang)
			var views []string
			var data []string
			f.walk(t, func(where string, help bool) {
				for _, sz := range [][2]int{{80, 24}, {120, 40}} {
					views = append(views, where+"\n"+f.view(t, sz[0], sz[1]))
					if help {
						f.do(t, "?")
						views = append(views, where+" ?\n"+f.view(t, sz[0], sz[1]))
						f.do(t, "?")
					}
				}
				if where == "drawn" {
					data = f.dataStrings(t) // the drawn standards, while the exam is open
				}
			})
			data = append(data, f.dataStrings(t)...)
			for _, v := range views {
				where, body, _ := strings.Cut(v, "\n")
				body = resultID.ReplaceAllString(body, "")
				for _, line := range strings.Split(body, "\n") {
					if bad := foreign(lang, line, data); bad != "" {
						t.Errorf("%s %s: %q is in the other language: %q", lang, where, bad, line)
					}
				}
			}
		})
	}
}

// walk takes the fixture through every screen and mode of an exam — the
// start, sign-in and its PIN, the plan and its search, the identity check
// and its reason, the draw, the live CPR item with its veto list, a hint
// and a question, the sheet, the other items, the result and the outbox —
// calling shot at each (help: the screen takes ? there).
func (f *fixture) walk(t *testing.T, shot func(where string, help bool)) {
	t.Helper()
	shot("start", true)
	f.do(t, "enter")
	shot("sign-in", true)
	f.do(t, "enter", "1", "2", "3")
	shot("sign-in PIN", false)
	f.do(t, "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
	shot("plan", true)
	f.do(t, "/", "3", "7")
	shot("plan search", false)
	f.do(t, "esc", "enter")
	shot("identity", true)
	f.do(t, "m", "x")
	shot("identity by hand", false)
	f.do(t, "esc", "y")
	shot("draw", true)
	f.do(t, "d")
	shot("drawn", true)
	f.do(t, "r", "down", "down", "down", "enter")
	f.playVector(t, "twelve-shallow")
	shot("live", true)
	f.do(t, "v")
	shot("live veto", true)
	f.do(t, "esc", "u")
	shot("live hint", false)
	f.do(t, "f")
	shot("live ask", false)
	f.do(t, "y")
	shot("sheet", true)
	f.do(t, "f5", "f6", "a")
	shot("draw after", true)
	f.do(t, "up", "up", "up")
	for range 3 {
		f.do(t, "enter", "f", "y", "f5", "f6", "a")
	}
	f.do(t, "f10")
	shot("result", true)
	f.do(t, "enter", "s")
	shot("outbox", true)
	if f.m.screen != scrSync {
		t.Fatalf("the walk did not reach the outbox: screen %d, status %q", f.m.screen, f.m.status)
	}
}

var (
	hanRun  = regexp.MustCompile(`\p{Han}+`)
	wordRun = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// shownAsIs are the English words a Chinese screen shows on purpose: key
// names, units, the program's name and the Unix group a port needs.
var shownAsIs = map[string]bool{"shicao": true, "enter": true, "esc": true, "tab": true, "ctrl": true,
	"mm": true, "ml": true, "min": true, "dialout": true}

// foreign returns the first run of the other language's script on line
// that is not the exam's data, or "".
func foreign(lang, line string, data []string) string {
	run, allowed := hanRun, map[string]bool{}
	if lang == "zh" {
		run, allowed = wordRun, shownAsIs
	}
	for _, w := range run.FindAllString(line, -1) {
		if allowed[w] {
			continue
		}
		found := false
		for _, d := range data {
			// A Chinese run is part of a text; an English word is a
			// whole word of one.
			if lang == "en" && strings.Contains(d, w) || lang == "zh" && slices.ContainsFunc(wordRun.FindAllString(d, -1), func(dw string) bool {
				// a word the window cut off is the start of one
				return dw == w || strings.HasSuffix(strings.TrimSpace(line), w) && strings.HasPrefix(dw, w)
			}) {
				found = true
				break
			}
		}
		if !found {
			return w
		}
	}
	return ""
}

// dataStrings is every text of the exam's data the screens show as it is,
// whatever the UI's language: the plan and its people, the standards and
// the blueprint, the station, its equipment and the demo's scenarios.
func (f *fixture) dataStrings(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	out := []string{f.s.Name(), f.s.Site(), "good", "shallow"}
	add := func(v any) { out = append(out, strings_(reflect.ValueOf(v), 0)...) }
	add(f.eq.Devices())
	stds, _ := f.s.Store().Standards(ctx)
	add(stds)
	plans, _ := f.s.Store().Plans(ctx, f.s.Today().String())
	add(plans)
	for _, p := range plans {
		for _, id := range p.Examiners {
			if x, err := f.s.Store().ExaminerByID(ctx, id); err == nil {
				add(x)
			}
		}
	}
	if ex := f.m.exam; ex != nil {
		add(ex.Blueprint())
		for _, d := range ex.Drawn() {
			add(d.Standard)
		}
	}
	if f.item != nil {
		add(f.item.Std)
	}
	return out
}

// shownFields are the data's fields a screen shows (a rule's expression,
// say, is never shown, nor a standard's test vectors).
var shownFields = map[string]bool{"ID": true, "Title": true, "Text": true, "Name": true, "Category": true,
	"Subject": true, "Code": true, "Kind": true, "Model": true, "Serial": true, "Port": true, "Blueprint": true,
	"Site": true, "Station": true, "IDNumber": true, "Number": true,
	"Instructions": true, "Field": true} // a reference check names its field and says what to do

// strings_ gathers the strings inside v (fields, elements, pointees; a
// map is a vector's or an event's data, never shown as it is).
func strings_(v reflect.Value, depth int) []string {
	if depth > 8 || !v.IsValid() {
		return nil
	}
	var out []string
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); s != "" {
			out = append(out, s)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			out = strings_(v.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = append(out, strings_(v.Index(i), depth+1)...)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			name := v.Type().Field(i).Name
			if name != "Tests" && (shownFields[name] || v.Field(i).Kind() != reflect.String) {
				out = append(out, strings_(v.Field(i), depth+1)...)
			}
		}
	}
	return out
}
