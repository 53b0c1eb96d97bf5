package standards_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"shicao/standards"
)

// outageStd is a standard over two devices whose rules give the times
// they see: each compression's t_ms, the cycles' a_ms, and elapsed.
func outageStd(t *testing.T) *standards.Standard {
	t.Helper()
	yaml := `id: OUTAGE-1
version: 1
title: 断连
category: 通用科目
effective: 2024-01-01
time_limit: 5m
devices: [cpr, extinguisher]
items:
  - id: a
    title: 甲
    points: 100
    rules:
      - {id: times, text: 时刻, count: 'sum(events("cpr.compression"), .t_ms)', deduct: 1}
      - {id: pace, text: 节律, count: 'sum(cycles("cpr.compression", "cpr.ventilation"), .a_ms)', deduct: 1}
      - {id: elapsed, text: 用时, count: 'elapsed', deduct: 1}
      - {id: phases, text: 阶段, count: 'sum(events("phase"), .t_ms)', deduct: 1}
      - {id: late, text: 迟, each: 'filter(events("cpr.compression"), .t_ms > 2500)', deduct: 1, outages: exclude}
`
	s, err := standards.Parse("outage.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func at(seq, tms int64, typ, data string) standards.Event {
	return standards.Event{Seq: seq, TMs: tms, Type: typ, Data: json.RawMessage(data)}
}

const press = `{"depth_mm":55,"position":"ok","recoil":true}`

// TestLog_EnvWithoutOutages: on the clock a rule with `outages: exclude`
// sees, each time is less the outage time before it; two devices lost at
// once stop it once; a device the standard does not use does not stop
// it; a reading from a lost device ends its outage (a station restarted
// mid-outage records no device.back); a device not back by the end stops
// it to the end. The log's own clock is unchanged, and evidence found on
// the stopped clock is shown at the recorded times.
func TestLog_EnvWithoutOutages(t *testing.T) {
	s := outageStd(t)
	events := []standards.Event{
		at(1, 0, "session.start", `{}`),
		at(2, 500, "cpr.compression", press),
		at(3, 1000, "device.lost", `{"kind":"cpr"}`),
		at(4, 1500, "device.lost", `{"kind":"extinguisher"}`),
		at(5, 2000, "ext.flame", `{"out":false}`),      // the extinguisher's reading: back at 2000
		at(6, 3000, "phase", `{"name":"x"}`),           // inside the cpr outage: at its start, 1000
		at(7, 4000, "device.back", `{"kind":"cpr"}`),   // the clock stood 1000-4000
		at(8, 4500, "cpr.compression", press),          // 1500
		at(9, 5000, "device.lost", `{"kind":"board"}`), // not this standard's device
		at(10, 6000, "cpr.compression", press),         // 3000
		at(11, 6500, "cpr.ventilation", `{"volume_ml":700,"airway_open":true,"gastric":false}`),
		at(12, 9000, "device.back", `{"kind":"board"}`),
		at(13, 10000, "device.lost", `{"kind":"cpr"}`),
		at(14, 11000, "session.resume", `{"down_ms":60000,"reason":"station restarted"}`),
		at(15, 12000, "cpr.compression", press),        // no device.back: the reading ends the outage at 12000; 7000
		at(16, 12500, "device.lost", `{"kind":"cpr"}`), // never back: the clock stops at 7500
	}
	log := s.NewLog()
	for _, e := range events {
		if _, err := log.Add(e.Seq, e.TMs, e.Type, e.Data); err != nil {
			t.Fatalf("event %d: %v", e.Seq, err)
		}
	}
	both := []string{"cpr", "extinguisher"}
	if !log.StopsClock(both) || log.StopsClock([]string{"ppe"}) {
		t.Fatal("StopsClock: want true for the devices lost, false for one never lost")
	}
	run := standards.NewRunner()
	rules := s.Items[0].Rules
	count := func(env map[string]any, i int) int {
		t.Helper()
		oc, err := run.EvalRule(&rules[i], env)
		if err != nil {
			t.Fatal(err)
		}
		return oc.Count
	}
	own, without := log.Env(13000, 300000), log.EnvWithoutOutages(13000, 300000, both)
	tests := []struct {
		rule      int
		own, stop int
	}{
		{0, 500 + 4500 + 6000 + 12000, 500 + 1500 + 3000 + 7000},
		{1, (6000 - 500) * 3 / 2, (3000 - 500) * 3 / 2}, // one cycle of 3 compressions
		{2, 13000, 7500},
		{3, 3000, 1000},
	}
	for _, tt := range tests {
		if got := count(own, tt.rule); got != tt.own {
			t.Errorf("%s on the log's clock: %d, want %d", rules[tt.rule].ID, got, tt.own)
		}
		if got := count(without, tt.rule); got != tt.stop {
			t.Errorf("%s without outages: %d, want %d", rules[tt.rule].ID, got, tt.stop)
		}
	}
	oc, err := run.EvalRule(&rules[4], without)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(oc.Evidence, []int64{10, 15}) {
		t.Fatalf("late without outages: evidence %v, want [10 15]", oc.Evidence)
	}
	if got := log.TimesOf(oc.Evidence); !slices.Equal(got, []int64{6000, 12000}) {
		t.Errorf("TimesOf(%v) = %v, want the recorded [6000 12000]", oc.Evidence, got)
	}

	want := []standards.Outage{
		{Kind: "cpr", LostSeq: 3, Lost: 1000, BackSeq: 7, Back: 4000},
		{Kind: "extinguisher", LostSeq: 4, Lost: 1500, BackSeq: 5, Back: 2000},
		{Kind: "board", LostSeq: 9, Lost: 5000, BackSeq: 12, Back: 9000},
		{Kind: "cpr", LostSeq: 13, Lost: 10000, BackSeq: 15, Back: 12000},
		{Kind: "cpr", LostSeq: 16, Lost: 12500},
	}
	if got := log.Outages(); !slices.Equal(got, want) {
		t.Errorf("Outages:\n got %+v\nwant %+v", got, want)
	}
}

// TestLog_Outages: a device lost twice is lost from the first; a
// device.back with no outage open changes nothing; with no outage of the
// standard's devices, the clock without outages is the log's own.
func TestLog_Outages(t *testing.T) {
	s := outageStd(t)
	log := s.NewLog()
	for _, e := range []standards.Event{
		at(2, 100, "device.back", `{"kind":"cpr"}`),
		at(3, 200, "device.lost", `{"kind":"board"}`),
		at(4, 300, "cpr.compression", press),
		at(5, 400, "device.lost", `{"kind":"board"}`),
		at(6, 900, "device.back", `{"kind":"board"}`),
	} {
		if _, err := log.Add(e.Seq, e.TMs, e.Type, e.Data); err != nil {
			t.Fatalf("event %d: %v", e.Seq, err)
		}
	}
	if got, want := log.Outages(), []standards.Outage{{Kind: "board", LostSeq: 3, Lost: 200, BackSeq: 6, Back: 900}}; !slices.Equal(got, want) {
		t.Errorf("Outages %+v, want %+v", got, want)
	}
	if log.StopsClock(s.Devices) {
		t.Error("StopsClock true, though no device of the standard was lost")
	}
	oc, err := standards.NewRunner().EvalRule(&s.Items[0].Rules[0], log.EnvWithoutOutages(900, 300000, s.Devices))
	if err != nil || oc.Count != 300 {
		t.Errorf("times without outages: %d, %v; want 300", oc.Count, err)
	}
}

// TestLog_OutageRefused: a device.lost that does not say which device is
// refused, as any event with data outside the vocabulary is.
func TestLog_OutageRefused(t *testing.T) {
	s := outageStd(t)
	for _, data := range []string{`{}`, `{"kind":1}`, `{"kind":"cpr","extra":true}`} {
		_, err := s.NewLog().Add(2, 100, "device.lost", json.RawMessage(data))
		if err == nil || !strings.Contains(err.Error(), "kind") && !strings.Contains(err.Error(), "extra") {
			t.Errorf("device.lost %s: %v, want a refusal naming the field", data, err)
		}
	}
}
