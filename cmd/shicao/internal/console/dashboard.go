package console

import (
	"net/http"

	"shicao/cmd/shicao/internal/centre"
)

// The dashboard (issue #19): staff's landing page, the day at a glance —
// the stations online and offline, the day's results and pass rate, the
// alarms still open, the newest results — with a quick search by
// 身份证号. Every figure is a small query (centre.Summary); the page is
// benchmarked at 100,000 results (BenchmarkConsole_Dashboard).

// dashLatest is how many of the newest results the dashboard lists.
const dashLatest = 8

type dashData struct {
	Sum                     *centre.DaySummary
	Stations                []card // each registered station's state today
	Online, Offline, Unseen int
	Latest                  []centre.ResultRow
}

func (s *Server) dashboard(w http.ResponseWriter, r *request) {
	ctx := r.Context()
	today := s.c.Today()
	sum, err := s.c.Summary(ctx, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &dashData{Sum: sum}
	stations, err := s.c.LiveStations(ctx, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.c.Now()
	for i := range stations {
		c := s.makeCard(&stations[i], liveQuery{Date: today.String()}, now, r.lang)
		switch c.State {
		case "online":
			d.Online++
		case "offline":
			d.Offline++
		default:
			d.Unseen++
		}
		d.Stations = append(d.Stations, c)
	}
	if d.Latest, _, err = s.c.SearchResults(ctx, centre.ResultQuery{}, -1, dashLatest); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "dashboard", d)
}
