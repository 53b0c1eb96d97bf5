package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// liveRig is a demo centre on a settable clock, its station API, the
// console over it with an injected ticker, and the demo station's
// client on the same clock.
type liveRig struct {
	rig
	clock   *centretest.Clock
	api     *httptest.Server
	station *examsync.Client
	tick    chan time.Time
}

func newLiveRig(t testing.TB) *liveRig {
	t.Helper()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	_, dir := centretest.NewCentreDir(t, st)
	clock := centretest.NewClock(time.Now())
	_, zone := centretest.Zone()
	c, err := centre.Open(ctx, dir, centre.Options{Now: clock.Now, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for _, s := range []struct{ name, role, pass string }{{adminName, centre.RoleAdmin, adminPass}, {inspectorName, centre.RoleInspector, inspectorPass}} {
		if err := c.AddStaff(ctx, s.name, s.role, s.pass); err != nil {
			t.Fatal(err)
		}
	}
	tick := make(chan time.Time)
	cs, err := console.New(c, console.Options{NewTicker: func(time.Duration) (<-chan time.Time, func()) { return tick, func() {} }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cs.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(cs.Close) // first: srv.Close waits for the streams to end
	api := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(api.Close)
	client, err := examsync.NewClient(api.URL, demo.Station, st.Signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	client.Now = clock.Now
	return &liveRig{rig: rig{c: c, dir: dir, srv: srv}, clock: clock, api: api, station: client, tick: tick}
}

func liveStatus(screen string, elapsedMs int64) examsync.StationStatus {
	off := int64(-8)
	return examsync.StationStatus{Screen: screen, Plan: "P-2026-0001", Candidate: "陈明 370902********0011", Item: "SD-DG-K42 心肺复苏", ElapsedMs: elapsedMs,
		Devices: []examsync.DeviceStatus{{Kind: "cpr", State: "connected"}, {Kind: "extinguisher", State: "lost"}}, OutboxDepth: 3, ClockOffsetMs: &off,
		Software: "shicao test", Standards: []string{"SD-DG-K42@1", "SD-DG-K11@1", "SD-DG-K21@1", "SD-DG-K31@2"}}
}

// post sends the station's status, the clock a second on (each status
// must be signed after the last).
func (r *liveRig) post(t *testing.T, st examsync.StationStatus) {
	t.Helper()
	r.clock.Advance(time.Second)
	if err := r.station.PostStatus(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// stream is an open event stream.
type stream struct {
	t      *testing.T
	body   *bufio.Reader
	resp   *http.Response
	cancel context.CancelFunc
}

// eventWait bounds the wait for one event: an event follows a status
// posted in the same process within milliseconds, even on a loaded
// machine; a stream silent this long has missed it.
const eventWait = 30 * time.Second

type event struct{ name, data string }

var eventsURL = regexp.MustCompile(`data-events="([^"]+)"`)

// openStream opens the grid page's event stream, as live.js does, and
// waits for the stream's opening comment: from then on every status is
// delivered.
func (c *client) openStream(page string) *stream {
	c.t.Helper()
	return c.streamAt(c.eventsOf(page), "")
}

// eventsOf returns the event stream's URL on a grid page.
func (c *client) eventsOf(page string) string {
	c.t.Helper()
	code, body := c.get(page)
	m := eventsURL.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		c.t.Fatalf("GET %s: %d, no event stream:\n%s", page, code, body)
	}
	return html.UnescapeString(m[1])
}

// streamAt opens an event stream, as a browser reconnecting after the
// event lastID when it is not "".
func (c *client) streamAt(events, lastID string) *stream {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+events, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		c.t.Fatalf("event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &stream{t: c.t, body: bufio.NewReader(resp.Body), resp: resp, cancel: cancel}
	for {
		line, err := s.body.ReadString('\n')
		if err != nil {
			c.t.Fatalf("event stream ended before it opened: %v", err)
		}
		if line == ": open\n" {
			return s
		}
	}
}

// next reads the next event (comments skipped), waiting at most
// eventWait for it.
func (s *stream) next() event {
	s.t.Helper()
	timer := time.AfterFunc(eventWait, s.cancel)
	defer timer.Stop()
	var e event
	for {
		line, err := s.body.ReadString('\n')
		if err != nil {
			s.t.Fatalf("no event within %s (the stream ended: %v)", eventWait, err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if e.name != "" {
				return e
			}
		case strings.HasPrefix(line, "event: "):
			e.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			e.data += strings.TrimPrefix(line, "data: ")
		}
	}
}

// card waits for the next card event of station and returns its HTML.
func (s *stream) card(station string) string {
	s.t.Helper()
	for {
		e := s.next()
		if e.name != "card" {
			continue
		}
		var d struct{ Station, HTML string }
		if err := json.Unmarshal([]byte(e.data), &d); err != nil {
			s.t.Fatalf("card event %q: %v", e.data, err)
		}
		if d.Station == station {
			return html.UnescapeString(d.HTML) // html/template writes + as &#43;
		}
	}
}

// TestLive_Stream: the grid lists the site's station as not heard from;
// a status posted reaches an open event stream as the station's card,
// online, with its screen, plan, masked candidate, item and time, device
// states, outbox, clock and versions; a forged status is refused and
// reaches the stream as the refusals' table, never as a card.
func TestLive_Stream(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	c := r.client(t)
	c.signIn(adminName, adminPass)
	code, page := c.get("/live")
	if code != http.StatusOK {
		t.Fatalf("GET /live: %d", code)
	}
	contains(t, page, `data-station="`+demo.Station+`" data-state="unseen"`)
	contains(t, page, "当天未上报")
	contains(t, page, `<script src="/static/live.js">`)

	s := c.openStream("/live?site=" + demo.Site)
	r.post(t, liveStatus("live", 73_000))
	card := s.card(demo.Station)
	for _, want := range []string{`data-state="online"`, "● 在线", "考试中", "P-2026-0001", "陈明 370902********0011", "SD-DG-K42 心肺复苏", "1:13",
		"cpr ✓ 已连接", "extinguisher ✗ 断开", `<dd class="outbox">3`, "-8 ms", "shicao test", "SD-DG-K42@1, SD-DG-K11@1, SD-DG-K21@1 +1"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}

	// The next status replaces the card.
	r.post(t, liveStatus("sheet", 301_000))
	if card = s.card(demo.Station); !strings.Contains(card, "评分表") || !strings.Contains(card, "5:01") {
		t.Errorf("the second status's card:\n%s", card)
	}

	// A forged status: refused, counted on the grid, never a card.
	forged, _, _ := standards.GenerateKey(demo.Station)
	fc, _ := examsync.NewClient(r.api.URL, demo.Station, forged, nil)
	fc.Now = r.clock.Now
	bad := liveStatus("forged-screen", 0)
	if err := fc.PostStatus(context.Background(), bad); err == nil {
		t.Fatal("a forged status was accepted")
	}
	e := s.next()
	if e.name != "refusals" || !strings.Contains(e.data, "bad-signature") {
		t.Fatalf("after a forged status: %s %s, want the refusals", e.name, e.data)
	}
	_, page = c.get("/live")
	if strings.Contains(page, "forged-screen") {
		t.Error("the forged status is shown")
	}
	contains(t, page, "⚠ bad-signature")
	_, alarms := c.get("/alarms")
	contains(t, alarms, centre.AlarmStatusRefused)
}

// TestLive_Offline: a station silent for 30 s is shown offline with the
// time it was last heard, on the page and pushed to an open stream at
// the stream's next tick; the clock is the centre's injected one.
func TestLive_Offline(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	c := r.client(t)
	c.signIn(inspectorName, inspectorPass) // an inspector may watch
	s := c.openStream("/live")
	r.post(t, liveStatus("draw", 0))
	if card := s.card(demo.Station); !strings.Contains(card, `data-state="online"`) {
		t.Fatalf("card after a status:\n%s", card)
	}
	seen := r.clock.Now().In(r.c.Zone()).Format("15:04:05")

	r.clock.Advance(centre.OfflineAfter - time.Millisecond)
	_, page := c.get("/live")
	contains(t, page, `data-station="`+demo.Station+`" data-state="online"`)

	r.clock.Advance(time.Millisecond)
	_, page = c.get("/live")
	contains(t, page, `data-station="`+demo.Station+`" data-state="offline"`)
	contains(t, page, "○ 离线")
	contains(t, page, "最后上报 <time>"+seen+"</time>")

	r.tick <- r.clock.Now()
	card := s.card(demo.Station)
	if !strings.Contains(card, `data-state="offline"`) || !strings.Contains(card, seen) {
		t.Errorf("the stream's card after 30 s of silence:\n%s", card)
	}
}

// TestLive_Reconnect: a browser reconnecting with the id of the last
// event it got is not sent again what it had, only what came after.
func TestLive_Reconnect(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	c := r.client(t)
	c.signIn(adminName, adminPass)
	events := c.eventsOf("/live") // the page, before any status
	r.post(t, liveStatus("draw", 0))
	r.clock.Advance(time.Minute)
	last := strconv.FormatInt(r.clock.Now().UnixMilli(), 10)
	s := c.streamAt(events, last)
	r.post(t, liveStatus("sheet", 0))
	if card := s.card(demo.Station); !strings.Contains(card, "评分表") {
		t.Errorf("the first card after reconnecting is not the new status's:\n%s", card)
	}
}

// TestLive_Access: signed out, the grid and its stream send to the
// sign-in page; a bad date is refused.
func TestLive_Access(t *testing.T) {
	t.Parallel()
	r := newLiveRig(t)
	c := r.client(t)
	for _, p := range []string{"/live", "/live/events"} {
		if code, body := c.get(p); code != http.StatusOK || !strings.Contains(body, `id="password"`) {
			t.Errorf("GET %s signed out: %d, want the sign-in page", p, code)
		}
	}
	c.signIn(adminName, adminPass)
	if code, _ := c.get("/live?date=2026-13-40"); code != http.StatusBadRequest {
		t.Errorf("a bad date: %d, want 400", code)
	}
}
