package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The live grid (docs/console.md): one card per station of a site and
// exam day, kept current by server-sent events — each status the centre
// keeps is pushed as the station's card, rendered here by the same
// template as the page, and a station that falls silent for
// centre.OfflineAfter is pushed again as offline. The page works without
// script (a reload shows the same); live.js only swaps cards in.

// liveTick is how often an open event stream looks for stations that
// fell silent, and sends a comment that keeps proxies from closing it.
const liveTick = 5 * time.Second

// liveQuery is the grid's selection: a site ("" for all) and a day.
type liveQuery struct {
	Site string
	Date string
}

func (q liveQuery) encode() string {
	v := url.Values{}
	if q.Site != "" {
		v.Set("site", q.Site)
	}
	v.Set("date", q.Date)
	return v.Encode()
}

// parseLive reads the selection; a bad date is refused.
func (s *Server) parseLive(r *request) (liveQuery, bool) {
	q := liveQuery{Site: strings.TrimSpace(r.URL.Query().Get("site")), Date: strings.TrimSpace(r.URL.Query().Get("date"))}
	if q.Date == "" {
		q.Date = s.c.Today().String()
		return q, true
	}
	if _, err := standards.ParseDate(q.Date); err != nil {
		return q, false
	}
	return q, true
}

// card is one station's card.
type card struct {
	Lang     string
	Name     string
	Site     string
	State    string // online | offline | unseen (never heard on that day)
	LastSeen string // when it was last heard, "" for never
	// From the status, when it was heard on that day.
	Has                  bool
	Screen               string
	Plan, Candidate      string
	Item, Elapsed        string
	Devices              []deviceCard
	Outbox, Parked       int
	ClockMs              *int64 // the station's own measure
	SeenOffsetMs         int64  // the centre's measure
	Drifting             bool
	Software             string
	Standards, StdsShort string
}

type deviceCard struct {
	Kind string
	OK   bool
}

// T returns the catalogue's text for key in the card's language.
func (c card) T(key string) string { return text(c.Lang, key) }

// Signed writes a clock offset in milliseconds with its sign.
func (c card) Signed(ms int64) string { return fmt.Sprintf("%+d ms", ms) }

func (s *Server) makeCard(l *centre.LiveStation, q liveQuery, now time.Time, lang string) card {
	c := card{Lang: lang, Name: l.Name, Site: l.Site}
	sameDay := l.SeenMs != 0 && s.c.DateOf(l.SeenMs) == q.Date
	switch {
	case l.SeenMs == 0:
		c.State = "unseen"
	case !sameDay:
		c.State = "unseen"
		c.LastSeen = time.UnixMilli(l.SeenMs).In(s.c.Zone()).Format("2006-01-02 15:04:05")
	case l.Offline(now):
		c.State = "offline"
		c.LastSeen = time.UnixMilli(l.SeenMs).In(s.c.Zone()).Format("15:04:05")
	default:
		c.State = "online"
		c.LastSeen = time.UnixMilli(l.SeenMs).In(s.c.Zone()).Format("15:04:05")
	}
	st := l.Status
	if st == nil || !sameDay {
		return c
	}
	c.Has = true
	c.Screen = st.Screen
	if _, ok := catalogue["screen."+st.Screen]; ok {
		c.Screen = text(lang, "screen."+st.Screen)
	}
	c.Plan, c.Candidate, c.Item = st.Plan, st.Candidate, st.Item
	if st.Item != "" {
		c.Elapsed = fmt.Sprintf("%d:%02d", st.ElapsedMs/60000, st.ElapsedMs/1000%60)
	}
	for _, d := range st.Devices {
		c.Devices = append(c.Devices, deviceCard{Kind: d.Kind, OK: d.State == "connected"})
	}
	c.Outbox, c.Parked = st.OutboxDepth, st.Parked
	c.ClockMs, c.SeenOffsetMs, c.Drifting = st.ClockOffsetMs, l.OffsetMs(), l.Drifting
	c.Software = st.Software
	c.Standards = strings.Join(st.Standards, ", ")
	c.StdsShort = c.Standards
	if len(st.Standards) > 3 {
		c.StdsShort = strings.Join(st.Standards[:3], ", ") + fmt.Sprintf(" +%d", len(st.Standards)-3)
	}
	return c
}

// siteGroup is one site's cards.
type siteGroup struct {
	Site, Name string
	Cards      []card
	Online     int
}

// liveData is the grid page's.
type liveData struct {
	Q        liveQuery
	Sites    []centre.SiteSummary
	Groups   []siteGroup
	Refusals refusalsView
	Events   string // the event stream's URL
	Since    int64
}

type refusalsView struct {
	Lang string
	Rows []centre.StatusRefusal
}

// T returns the catalogue's text for key.
func (v refusalsView) T(key string) string { return text(v.Lang, key) }

func (s *Server) live(w http.ResponseWriter, r *request) {
	q, ok := s.parseLive(r)
	if !ok {
		s.renderStatus(w, r, http.StatusBadRequest, "error", map[string]any{"Message": text(r.lang, "err.bad") + " date=" + q.Date, "Status": 400})
		return
	}
	d, err := s.liveData(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "view live grid", q.encode(), r.remote)
	s.render(w, r, "live", d)
}

func (s *Server) liveData(r *request, q liveQuery) (*liveData, error) {
	ctx := r.Context()
	now := s.c.Now()
	sites, err := s.c.Sites(ctx)
	if err != nil {
		return nil, err
	}
	stations, err := s.c.LiveStations(ctx, q.Site)
	if err != nil {
		return nil, err
	}
	refusals, err := s.c.StatusRefusals(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, x := range sites {
		names[x.ID] = x.Name
	}
	d := &liveData{Q: q, Sites: sites, Refusals: refusalsView{Lang: r.lang, Rows: refusals}, Since: now.UnixMilli()}
	for i := range stations {
		l := &stations[i]
		if len(d.Groups) == 0 || d.Groups[len(d.Groups)-1].Site != l.Site {
			d.Groups = append(d.Groups, siteGroup{Site: l.Site, Name: names[l.Site]})
		}
		g := &d.Groups[len(d.Groups)-1]
		c := s.makeCard(l, q, now, r.lang)
		if c.State == "online" {
			g.Online++
		}
		g.Cards = append(g.Cards, c)
	}
	d.Events = "/live/events?" + q.encode() + "&since=" + strconv.FormatInt(d.Since, 10)
	return d, nil
}

// Close ends the live grid's event streams, so that the server's
// Shutdown, which waits for every answer to end, is not held by them
// (register it with http.Server.RegisterOnShutdown). Browsers reconnect
// to the next server by themselves.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.done) }) }

// liveEvents is the grid's event stream: "card" events carry a
// station's card ({"station": name, "html": card}), "refusals" the
// refused statuses' table ({"html": table}). It first sends what changed
// since the page was rendered (since, the centre's ms), so nothing that
// arrived between the page and the stream is missed.
func (s *Server) liveEvents(w http.ResponseWriter, r *request) {
	q, ok := s.parseLive(r)
	if !ok {
		http.Error(w, text(r.lang, "err.bad"), http.StatusBadRequest)
		return
	}
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	// A browser reconnecting sends the id of the last event it got: the
	// centre's time then. Only what changed after it is sent again.
	if last, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && last > since {
		since = last
	}
	ctx := r.Context()
	watch := s.c.WatchStatus()
	defer watch.Close()
	rc := http.NewResponseController(w)
	// The console's server bounds a whole answer's time (WriteTimeout);
	// a stream lives as long as the page is open.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	ls := &liveStream{s: s, w: w, ctx: ctx, q: q, lang: r.lang, since: since, state: map[string]string{}}
	if _, err := fmt.Fprint(w, "retry: 2000\n: open\n\n"); err != nil {
		return
	}
	if !ls.sweep(true) {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	tick, stop := s.newTicker(liveTick)
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-watch.Ready():
			if !ls.sendChanged(s.c.Now(), watch.Take()) {
				return
			}
		case <-tick:
			if !ls.sweep(false) {
				return
			}
			if _, err := fmt.Fprint(w, ": tick\n\n"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// liveStream is one page's event stream (liveEvents). Its methods
// return false when the stream is broken and should end.
type liveStream struct {
	s     *Server
	w     http.ResponseWriter
	ctx   context.Context
	q     liveQuery
	lang  string
	since int64 // the centre's ms the page (or the last event) was rendered at
	// state is what the page shows of each station: online or not.
	state map[string]string
}

// send writes one event.
func (ls *liveStream) send(event string, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	// The id is the centre's time, less a tick: a reconnecting
	// browser sends it back as Last-Event-ID, and gets again every
	// status kept after it. The tick covers a status kept (its time
	// taken) just before its event was sent; a card sent twice is
	// harmless, a card missed is not.
	if _, err := fmt.Fprintf(ls.w, "id: %d\nevent: %s\ndata: %s\n\n", ls.s.c.Now().Add(-liveTick).UnixMilli(), event, b); err != nil {
		return false
	}
	return true
}

// sendCard sends a station's card as of now.
func (ls *liveStream) sendCard(l *centre.LiveStation, now time.Time) bool {
	c := ls.s.makeCard(l, ls.q, now, ls.lang)
	ls.state[l.Name] = c.State
	var buf bytes.Buffer
	if err := ls.s.pages["live"].ExecuteTemplate(&buf, "card", c); err != nil {
		ls.s.log.Error("render card", "station", l.Name, "err", err)
		return true
	}
	return ls.send("card", map[string]string{"station": l.Name, "html": buf.String()})
}

// sendRefusals sends the refused statuses' table.
func (ls *liveStream) sendRefusals() bool {
	rows, err := ls.s.c.StatusRefusals(ls.ctx)
	if err != nil {
		ls.s.log.Error("live refusals", "err", err)
		return true
	}
	var buf bytes.Buffer
	if err := ls.s.pages["live"].ExecuteTemplate(&buf, "refusals", refusalsView{Lang: ls.lang, Rows: rows}); err != nil {
		ls.s.log.Error("render refusals", "err", err)
		return true
	}
	return ls.send("refusals", map[string]string{"html": buf.String()})
}

// sendChanged sends what a watch of the statuses took: the cards of the
// stations named (those of the page's site), the refusals' table for "".
func (ls *liveStream) sendChanged(now time.Time, names []string) bool {
	for _, name := range names {
		if name == "" {
			if !ls.sendRefusals() {
				return false
			}
			continue
		}
		l, err := ls.s.c.LiveStationByName(ls.ctx, name)
		if err != nil || (ls.q.Site != "" && l.Site != ls.q.Site) {
			continue
		}
		if !ls.sendCard(l, now) {
			return false
		}
	}
	return true
}

// sweep sends the cards that changed since the page (first) or whose
// state changed since last sent (a station fell silent).
func (ls *liveStream) sweep(first bool) bool {
	s, q := ls.s, ls.q
	now := s.c.Now()
	list, err := s.c.LiveStations(ls.ctx, q.Site)
	if err != nil {
		s.log.Error("live stations", "err", err)
		return true
	}
	for i := range list {
		l := &list[i]
		c := s.makeCard(l, q, now, ls.lang)
		changed := ls.state[l.Name] != c.State
		if first {
			then := s.makeCard(l, q, time.UnixMilli(ls.since), ls.lang)
			changed = l.SeenMs >= ls.since || then.State != c.State
		}
		if !changed {
			ls.state[l.Name] = c.State
			continue
		}
		if !ls.sendCard(l, now) {
			return false
		}
	}
	return true
}
