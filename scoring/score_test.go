package scoring_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

func cpr(t testing.TB) *standards.Standard {
	t.Helper()
	b, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := standards.Parse("sd-dg-k42-cpr.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func vector(t testing.TB, s *standards.Standard, name string) []standards.Event {
	t.Helper()
	for i := range s.Tests {
		if s.Tests[i].Name == name {
			return s.Expand(&s.Tests[i])
		}
	}
	t.Fatalf("no vector %q", name)
	return nil
}

// renumber makes seq gapless again after events were inserted or removed.
func renumber(events []standards.Event) []standards.Event {
	for i := range events {
		events[i].Seq = int64(i + 1)
	}
	return events
}

func insert(events []standards.Event, at int, e standards.Event) []standards.Event {
	out := append([]standards.Event(nil), events[:at]...)
	e.TMs = events[at-1].TMs
	out = append(out, e)
	out = append(out, events[at:]...)
	return renumber(out)
}

func TestScore_Refusals(t *testing.T) {
	std := cpr(t)
	perfect := vector(t, std, "perfect")
	tests := []struct {
		name   string
		mutate func([]standards.Event) []standards.Event
		want   string
	}{
		{"Gap", func(ev []standards.Event) []standards.Event {
			return append(ev[:5:5], ev[6:]...)
		}, "event 7: seq 7 follows 5: the log must be gapless and in order"},
		{"OutOfOrderTime", func(ev []standards.Event) []standards.Event {
			ev[10].TMs = 1
			return ev
		}, "event 11: t_ms 1 is before the previous event's"},
		{"NoStart", func(ev []standards.Event) []standards.Event { return renumber(ev[1:]) }, "event 1: the log must start with session.start"},
		{"Empty", func([]standards.Event) []standards.Event { return nil }, "empty log: a session starts with session.start"},
		{"OtherItem", func(ev []standards.Event) []standards.Event {
			ev[0].Data = json.RawMessage(`{"item":"SD-DG-K43","version":1,"examiners":["1","2"]}`)
			return ev
		}, "the log is for item SD-DG-K43"},
		{"OtherVersion", func(ev []standards.Event) []standards.Event {
			ev[0].Data = json.RawMessage(`{"item":"SD-DG-K42","version":7,"examiners":["1","2"]}`)
			return ev
		}, "recorded under SD-DG-K42 version 7, the standard is version 1"},
		{"UnknownMark", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "mark", Source: "examiner:1", Data: json.RawMessage(`{"item":"assess","mark":"no-such"}`)})
		}, `mark "no-such" is not one of item assess's marks`},
		{"MarkFromDevice", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "mark", Source: "device:cpr", Data: json.RawMessage(`{"item":"assess","mark":"no-tap"}`)})
		}, "mark must come from an examiner"},
		{"StrangerExaminer", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "mark", Source: "examiner:9", Data: json.RawMessage(`{"item":"assess","mark":"no-tap"}`)})
		}, "examiner 9 is not one of this session's examiners"},
		{"MarkTwice", func(ev []standards.Event) []standards.Event {
			m := standards.Event{Type: "mark", Source: "examiner:1", Data: json.RawMessage(`{"item":"assess","mark":"no-tap"}`)}
			return insert(insert(ev, 2, m), 2, m)
		}, "examiner 1 recorded mark no-tap 2 times; the standard allows 1"},
		{"UndoOthersMark", func(ev []standards.Event) []standards.Event {
			ev = insert(ev, 2, standards.Event{Type: "mark", Source: "examiner:1", Data: json.RawMessage(`{"item":"assess","mark":"no-tap"}`)})
			return insert(ev, 3, standards.Event{Type: "mark.undo", Source: "examiner:2", Data: json.RawMessage(`{"ref":3}`)})
		}, "only the examiner who recorded mark 3 may undo it"},
		{"VetoNotMarkable", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "veto", Source: "examiner:1", Data: json.RawMessage(`{"veto":"too-few-cycles"}`)})
		}, `veto "too-few-cycles" is not a veto examiners may record`},
		{"ReviewWithoutReason", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "review.resolve", Source: "examiner:chief", Data: json.RawMessage(`{"item":"assess","deduct":2,"reason":" "}`)})
		}, "review.resolve needs a written reason"},
		{"ReviewHalfTenth", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, standards.Event{Type: "review.resolve", Source: "examiner:chief", Data: json.RawMessage(`{"item":"assess","deduct":0.25,"reason":"x"}`)})
		}, "points have at most one decimal digit"},
		{"DeviceFieldMissing", func(ev []standards.Event) []standards.Event {
			ev[3].Data = json.RawMessage(`{"depth_mm":55,"position":"ok"}`)
			return ev
		}, "event 4: cpr.compression data.recoil: missing"},
		{"DeviceFieldType", func(ev []standards.Event) []standards.Event {
			ev[3].Data = json.RawMessage(`{"depth_mm":55.5,"position":"ok","recoil":true}`)
			return ev
		}, "event 4: cpr.compression data.depth_mm: want a whole number, got 55.5"},
		{"DeviceFieldUnknown", func(ev []standards.Event) []standards.Event {
			ev[3].Data = json.RawMessage(`{"depth_mm":55,"position":"ok","recoil":true,"force":3}`)
			return ev
		}, "event 4: cpr.compression data.force: unknown field"},
		{"SecondStart", func(ev []standards.Event) []standards.Event {
			return insert(ev, 2, ev[0])
		}, "event 3: a second session.start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := append([]standards.Event(nil), perfect...)
			_, err := scoring.Score(std, tt.mutate(ev))
			if err == nil {
				t.Fatalf("scored; want refusal %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestScoreReader_LineErrors(t *testing.T) {
	std := cpr(t)
	start := `{"seq":1,"t_ms":0,"type":"session.start","source":"system","data":{"item":"SD-DG-K42","version":1}}`
	tests := []struct {
		name, line, want string
	}{
		{"BadJSON", `{"seq":2,"t_ms":1,`, "log.jsonl:2: not a JSON event"},
		{"MissingType", `{"seq":2,"t_ms":1,"source":"x"}`, "log.jsonl:2: type: missing"},
		{"StringSeq", `{"seq":"2","t_ms":1,"type":"x"}`, "log.jsonl:2: seq: want a whole number"},
		{"UnknownField", `{"seq":2,"t_ms":1,"type":"x","extra":1}`, "log.jsonl:2: extra: unknown field"},
		{"DuplicateField", `{"seq":2,"t_ms":1,"t_ms":2,"type":"x"}`, "log.jsonl:2: t_ms: given twice"},
		{"DataNotObject", `{"seq":2,"t_ms":1,"type":"x","data":[1]}`, "log.jsonl:2: data: want a JSON object"},
		{"NegativeTime", `{"seq":2,"t_ms":-1,"type":"x"}`, "log.jsonl:2: t_ms: -1 is negative"},
		{"Trailing", `{"seq":2,"t_ms":1,"type":"x"} {}`, "log.jsonl:2: more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scoring.ScoreReader(std, strings.NewReader(start+"\n"+tt.line+"\n"), "log.jsonl")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestScore_UnknownEventTypeReported(t *testing.T) {
	std := cpr(t)
	ev := insert(vector(t, std, "perfect"), 5, standards.Event{Type: "cpr.teleport", Source: "device:cpr", Data: json.RawMessage(`{}`)})
	sheet, err := scoring.Score(std, ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(sheet.Unknown) != 1 || sheet.Unknown[0].Seq != 6 || sheet.Unknown[0].Type != "cpr.teleport" {
		t.Fatalf("unknown events %+v, want seq 6 cpr.teleport", sheet.Unknown)
	}
	if sheet.Score != standards.PointsOf(100) {
		t.Fatalf("score %s, want 100: an unknown event must not change the score", sheet.Score)
	}
}

func TestScore_LiveWithoutEnd(t *testing.T) {
	std := cpr(t)
	ev := vector(t, std, "perfect")
	sheet, err := scoring.Score(std, ev[:40])
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Finished {
		t.Fatal("Finished without session.end")
	}
	if sheet.Veto == nil || sheet.Veto.ID != "too-few-cycles" {
		t.Fatalf("a log of one cycle so far must show the cycles veto as things stand, got %+v", sheet.Veto)
	}
}

// TestScore_Deterministic scores the same log twice, and once more with
// the examiners' events in another order, and wants identical JSON.
func TestScore_Deterministic(t *testing.T) {
	std := cpr(t)
	ev := vector(t, std, "examiners-disagree")
	a, err := scoring.Score(std, ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := scoring.Score(std, ev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sheetJSON(t, a), sheetJSON(t, b)) {
		t.Fatal("same input, different sheet")
	}
}

// TestScore_ExaminerOrder: renaming the examiners (their order) and
// interleaving their marks differently does not change the score.
func TestScore_ExaminerOrder(t *testing.T) {
	std := cpr(t)
	base := vector(t, std, "both-examiners-mark")
	want, err := scoring.Score(std, base)
	if err != nil {
		t.Fatal(err)
	}
	swapped := append([]standards.Event(nil), base...)
	for i := range swapped {
		switch swapped[i].Source {
		case "examiner:1":
			swapped[i].Source = "examiner:2"
		case "examiner:2":
			swapped[i].Source = "examiner:1"
		}
	}
	// Examiner 2's mark now comes first for each pair (same t_ms).
	for i := 1; i+1 < len(swapped); i++ {
		if swapped[i].Type == "mark" && swapped[i+1].Type == "mark" && swapped[i].TMs == swapped[i+1].TMs {
			swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
			i++
		}
	}
	got, err := scoring.Score(std, renumber(swapped))
	if err != nil {
		t.Fatal(err)
	}
	if got.Score != want.Score || got.NeedsReview != want.NeedsReview {
		t.Fatalf("examiners swapped: score %s review %v, want %s %v", got.Score, got.NeedsReview, want.Score, want.NeedsReview)
	}
	for i := range want.Items {
		if got.Items[i].Score != want.Items[i].Score {
			t.Errorf("item %s: %s, want %s", want.Items[i].ID, got.Items[i].Score, want.Items[i].Score)
		}
	}
}

// badEvents are events that can only ever cost points.
var badEvents = []standards.Event{
	{Type: "cpr.compression", Source: "device:cpr", Data: json.RawMessage(`{"depth_mm":30,"position":"left","recoil":false}`)},
	{Type: "cpr.compression", Source: "device:cpr", Data: json.RawMessage(`{"depth_mm":75,"position":"high","recoil":true}`)},
	{Type: "cpr.ventilation", Source: "device:cpr", Data: json.RawMessage(`{"volume_ml":1500,"airway_open":false,"gastric":true}`)},
	{Type: "mark", Source: "examiner:1", Data: json.RawMessage(`{"item":"appearance","mark":"attire"}`)},
	{Type: "mark", Source: "examiner:2", Data: json.RawMessage(`{"item":"recheck","mark":"no-tidy"}`)},
	{Type: "veto", Source: "examiner:1", Data: json.RawMessage(`{"veto":"injury"}`)},
}

// TestScore_Properties: over every vector of the library, the score stays
// in [0, 100] (and each item in [0, points]), and inserting a bad event
// anywhere never raises the score.
func TestScore_Properties(t *testing.T) {
	std := cpr(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range std.Tests {
		v := &std.Tests[i]
		base := std.Expand(v)
		want, err := scoring.Score(std, base)
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		checkBounds(t, v.Name, want)
		for trial := 0; trial < 30; trial++ {
			bad := badEvents[rng.IntN(len(badEvents))]
			at := 1 + rng.IntN(len(base)-1)
			ev := insert(base, at, bad)
			got, err := scoring.Score(std, ev)
			if err != nil {
				// A second mark of the same kind may exceed what the
				// standard allows: a refusal is not a higher score.
				var ee *scoring.EventError
				if errors.As(err, &ee) {
					continue
				}
				t.Fatalf("%s + %s at %d: %v", v.Name, bad.Type, at, err)
			}
			checkBounds(t, v.Name, got)
			if got.Score > want.Score {
				t.Errorf("%s: adding %s %s at %d raised the score from %s to %s", v.Name, bad.Type, bad.Data, at, want.Score, got.Score)
			}
		}
	}
}

func checkBounds(t *testing.T, name string, s *scoring.Sheet) {
	t.Helper()
	if s.Score < 0 || s.Score > standards.PointsOf(100) {
		t.Errorf("%s: score %s outside [0, 100]", name, s.Score)
	}
	for _, it := range s.Items {
		if it.Score < 0 || it.Score > it.Points {
			t.Errorf("%s: item %s scores %s of %s", name, it.ID, it.Score, it.Points)
		}
	}
}

// FuzzScore feeds arbitrary JSON Lines to the scorer of every library
// standard: it must never panic, and the same bytes must give the same
// result twice.
func FuzzScore(f *testing.F) {
	lib := loadLibrary(f)
	names := make([]string, 0, len(lib))
	for n := range lib {
		names = append(names, n)
	}
	for _, n := range names {
		std := lib[n]
		for i := range std.Tests {
			var b bytes.Buffer
			_ = standards.WriteEvents(&b, std.Expand(&std.Tests[i]))
			if b.Len() < 20000 {
				f.Add(b.Bytes())
			}
		}
	}
	f.Add([]byte(`{"seq":1,"t_ms":0,"type":"session.start","data":{}}` + "\n" + `{"seq":2,"t_ms":5,"type":"cpr.compression","data":{"depth_mm":-1,"position":"","recoil":true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, n := range names {
			std := lib[n]
			a, errA := scoring.ScoreReader(std, bytes.NewReader(data), "fuzz")
			b, errB := scoring.ScoreReader(std, bytes.NewReader(data), "fuzz")
			if fmt.Sprint(errA) != fmt.Sprint(errB) {
				t.Fatalf("%s: errors differ: %v / %v", n, errA, errB)
			}
			if errA != nil {
				continue
			}
			if !bytes.Equal(sheetJSON(t, a), sheetJSON(t, b)) {
				t.Fatalf("%s: same log, different sheets", n)
			}
			checkBounds(t, n, a)
		}
	})
}

// TestScore_SessionStartPurpose: a training attempt's session.start
// carries purpose "training" beside the vocabulary's fields
// (docs/events.md); the log scores exactly as the exam's, and a rule over
// session.start sees nothing, since event 1 never reaches the expressions.
func TestScore_SessionStartPurpose(t *testing.T) {
	std := cpr(t)
	exam := vector(t, std, "perfect")
	training := slices.Clone(exam)
	var d map[string]any
	if err := json.Unmarshal(training[0].Data, &d); err != nil {
		t.Fatal(err)
	}
	d["purpose"] = "training"
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	training[0].Data = b
	want, err := scoring.Score(std, exam)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scoring.Score(std, training)
	if err != nil {
		t.Fatalf("a training attempt's log is refused: %v", err)
	}
	if got.Score != want.Score || got.Passed != want.Passed {
		t.Errorf("training log scores %s (passed %v), the exam's %s (passed %v)", got.Score, got.Passed, want.Score, want.Passed)
	}

	// A rule that would fire on any session.start does not: event 1 is
	// the scorer's, not the expressions'.
	reads, err := standards.Parse("reads-start.yaml", []byte(`id: T-START
version: 1
title: reads session.start
category: 低压电工作业
effective: 2024-01-01
time_limit: 5m
items:
  - id: a
    title: a
    points: 100
    rules:
      - id: start-seen
        text: session.start seen
        when: 'len(events("session.start")) > 0'
        deduct: 10
`))
	if err != nil {
		t.Fatal(err)
	}
	ev := []standards.Event{
		{Seq: 1, Type: standards.TypeSessionStart, Source: "system", Data: json.RawMessage(`{"item":"T-START","version":1,"examiners":["1","2"],"purpose":"training"}`)},
		{Seq: 2, TMs: 1000, Type: standards.TypeSessionEnd, Source: "system", Data: json.RawMessage(`{"reason":"finished"}`)},
	}
	sh, err := scoring.Score(reads, ev)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Score.String() != "100" {
		t.Errorf("a rule over session.start fired: score %s, want 100", sh.Score)
	}
}
