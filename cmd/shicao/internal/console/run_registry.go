package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
	examsync "shicao/sync"
)

// publishStandards publishes uploaded province-signed standards and
// blueprints, as `shicao centre standard publish` does: each file on its
// own; what is refused is listed with why, the others are published.
func (s *Server) publishStandards(w http.ResponseWriter, r *request) {
	d := &runData{Form: "standards"}
	files, err := upload(r)
	if err != nil {
		s.runRefused(w, r, d, "publish refused", err)
		return
	}
	roots, err := s.c.TrustRoots(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(roots) == 0 {
		s.runRefused(w, r, d, "publish refused", errors.New(text(r.lang, "run.notrust")))
		return
	}
	var refused []string
	for _, f := range files {
		cand, err := s.c.Publish(r.Context(), f.name, f.body)
		switch {
		case errors.Is(err, standards.ErrInstalled):
			d.Done = append(d.Done, f.name+": "+text(r.lang, "run.already"))
		case err != nil:
			// Admit names the file already.
			refused = append(refused, f.name+": "+strings.TrimPrefix(err.Error(), f.name+": "))
		default:
			d.Done = append(d.Done, fmt.Sprintf("%s %s v%d (%s) · %s", text(r.lang, "run.published"), cand.ID, cand.Version, cand.SHA256[:16], strings.Join(cand.Signers, ", ")))
			s.audit(r.Context(), r.sess.Staff.Name, "publish standard", fmt.Sprintf("%s: %s version %d sha256 %s", f.name, cand.ID, cand.Version, cand.SHA256), r.remote)
		}
	}
	if len(refused) > 0 {
		s.runRefused(w, r, d, "publish refused", fmt.Errorf("%d %s\n%s", len(refused), text(r.lang, "run.nrefused"), strings.Join(refused, "\n")))
		return
	}
	s.showRun(w, r, http.StatusOK, d)
}

// addStation registers a station at a site with its verifier key (the
// text of its station.pub, pasted or uploaded), or moves it, or with
// "replace" gives it a new key, as `shicao centre station add` does.
func (s *Server) addStation(w http.ResponseWriter, r *request) {
	st := centre.Station{Name: strings.TrimSpace(r.PostFormValue("name")), Site: strings.TrimSpace(r.PostFormValue("site")), Key: strings.TrimSpace(r.PostFormValue("key"))}
	d := &runData{Form: "station", Station: st}
	if files, err := upload(r); err == nil && st.Key == "" {
		st.Key = strings.TrimSpace(string(files[0].body))
	}
	was, err := s.c.PutStation(r.Context(), st, r.PostFormValue("replace") == "on")
	if err != nil {
		s.runRefused(w, r, d, "register station refused", err)
		return
	}
	key := centre.ShortKey(st.Key)
	switch {
	case was == nil:
		d.Done = append(d.Done, fmt.Sprintf("%s %s → %s · %s", text(r.lang, "run.stationadded"), st.Name, st.Site, key))
	case was.Site == st.Site && was.Key == st.Key:
		d.Done = append(d.Done, fmt.Sprintf("%s %s → %s · %s", text(r.lang, "run.unchanged"), st.Name, st.Site, key))
	default:
		if was.Site != st.Site {
			d.Done = append(d.Done, fmt.Sprintf("%s %s: %s → %s", text(r.lang, "run.moved"), st.Name, was.Site, st.Site))
		}
		if was.Key != st.Key {
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s %s: %s → %s", text(r.lang, "run.rekeyed"), st.Name, centre.ShortKey(was.Key), key))
		}
	}
	d.Station = centre.Station{}
	s.audit(r.Context(), r.sess.Staff.Name, "register station", fmt.Sprintf("%s at %s key %s replace=%v", st.Name, st.Site, key, r.PostFormValue("replace") == "on"), r.remote)
	s.showRun(w, r, http.StatusOK, d)
}

// addEquipment registers a device to a site, or moves it or changes its
// kind or model, as `shicao centre equipment add` does.
func (s *Server) addEquipment(w http.ResponseWriter, r *request) {
	q := examsync.Equipment{Site: strings.TrimSpace(r.PostFormValue("site")), Serial: strings.TrimSpace(r.PostFormValue("serial")),
		Kind: strings.TrimSpace(r.PostFormValue("kind")), Model: strings.TrimSpace(r.PostFormValue("model"))}
	d := &runData{Form: "equipment", Equipment: q}
	was, err := s.c.PutEquipment(r.Context(), q)
	if err != nil {
		s.runRefused(w, r, d, "register equipment refused", err)
		return
	}
	line := fmt.Sprintf("%s %s %s → %s", q.Kind, q.Model, q.Serial, q.Site)
	switch {
	case was == nil:
		d.Done = append(d.Done, text(r.lang, "run.deviceadded")+" "+line)
	case *was == q:
		d.Done = append(d.Done, text(r.lang, "run.unchanged")+" "+line)
	default:
		d.Done = append(d.Done, text(r.lang, "run.devicechanged")+" "+line)
		if was.Site != q.Site {
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s %s: %s → %s", text(r.lang, "run.devicemoved"), q.Serial, was.Site, q.Site))
		}
	}
	d.Equipment = examsync.Equipment{}
	s.audit(r.Context(), r.sess.Staff.Name, "register equipment", line, r.remote)
	s.showRun(w, r, http.StatusOK, d)
}
