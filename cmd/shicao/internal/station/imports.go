package station

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// SetCentre pins the exam centre's verifier key: plans and the registry
// are accepted only when it signed them.
func (s *Station) SetCentre(ctx context.Context, verifierKey string) error {
	return s.st.SetCentreKey(ctx, verifierKey)
}

func (s *Station) centreKey(ctx context.Context) (string, error) {
	k, err := s.st.CentreKey(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return "", refuse("no-centre", "本站尚未设置考务中心公钥", "the exam centre's key is not pinned: run shicao station centre set")
	}
	return k, err
}

// ImportPlan verifies a plan signed by the centre and stores it. A plan
// for another station or site is refused: candidates' personal data goes
// only to the station the plan names. A plan that lists a 身份证号 twice
// is refused (plan-candidate-twice): the station could not tell which
// entry's name and attempt is the candidate's, and a person at the centre
// must correct it. An examiner listed twice is kept once.
func (s *Station) ImportPlan(ctx context.Context, signed []byte) (*examsync.Plan, error) {
	key, err := s.centreKey(ctx)
	if err != nil {
		return nil, err
	}
	var p examsync.Plan
	if err := examsync.Open(signed, key, examsync.KindPlan, &p); err != nil {
		return nil, err
	}
	if p.Station == "" && p.Site != s.cfg.Site {
		return nil, refuse("plan-other-station", "考试计划 %s 属于考点 %s，本站（%s）在考点 %s：请核对本站在考务中心登记的考点", "exam plan %s is for site %s; this station (%s) stands at site %s: check the site the centre registered it under",
			p.ID, p.Site, s.cfg.Name, s.cfg.Site)
	}
	if p.Site != s.cfg.Site || (p.Station != "" && p.Station != s.cfg.Name) {
		// The English names the station before the site, the Chinese the
		// site (考点) before the station: each in its own argument order.
		return nil, &Refusal{Code: "plan-other-station",
			ZH: fmt.Sprintf("考试计划 %s 属于考点 %s 的 %s，不是本站（考点 %s 的 %s）：请核对该计划是否发给本站，以及本站在考务中心登记的站名和考点", p.ID, p.Site, p.Station, s.cfg.Site, s.cfg.Name),
			EN: fmt.Sprintf("exam plan %s is for station %s at site %s, not this one (station %s at site %s): check that the plan was meant for this station, and the name and site the centre registered it under", p.ID, p.Station, p.Site, s.cfg.Name, s.cfg.Site)}
	}
	sp := store.Plan{ID: p.ID, Date: p.Date, Site: p.Site, Category: p.Category, Blueprint: p.Blueprint, Signed: signed}
	for _, x := range p.Examiners {
		if !slices.Contains(sp.Examiners, x) {
			sp.Examiners = append(sp.Examiners, x)
		}
	}
	seen := map[string]string{} // 身份证号 -> name, as first listed
	for _, c := range p.Candidates {
		id, bad := validIDNumber(c.IDNumber)
		if bad != nil {
			return nil, fmt.Errorf("plan %s candidate %s: %w", p.ID, c.Name, bad)
		}
		if first, twice := seen[id]; twice {
			return nil, refuse("plan-candidate-twice", "考试计划 %s 两次列出身份证号 %s（%s、%s）：请考务中心更正考试计划后重新下发，本站未导入该计划",
				"exam plan %s lists identity number %s twice (%s, %s): the centre must correct the plan and send it again; this station did not import it",
				p.ID, MaskID(id), first, c.Name)
		}
		seen[id] = c.Name
		sp.Candidates = append(sp.Candidates, store.Candidate{IDNumber: id, Name: c.Name, Attempt: max(c.Attempt, 1)})
	}
	if err := s.st.SavePlan(ctx, sp); err != nil {
		return nil, err
	}
	return &p, nil
}

// ImportRegistry verifies the centre's examiner and equipment registry and
// replaces the station's copy; an older version than the one held is
// refused (a replayed registry could bring back a revoked examiner).
func (s *Station) ImportRegistry(ctx context.Context, signed []byte) (*examsync.Registry, error) {
	key, err := s.centreKey(ctx)
	if err != nil {
		return nil, err
	}
	var r examsync.Registry
	if err := examsync.Open(signed, key, examsync.KindRegistry, &r); err != nil {
		return nil, err
	}
	if r.Site != s.cfg.Site {
		return nil, refuse("registry-other-site", "登记名册属于考点 %s，不是本站考点 %s", "the registry is for site %s, not this site %s", r.Site, s.cfg.Site)
	}
	if have, err := s.st.RegistryVersion(ctx); err == nil {
		if r.Version < have {
			return nil, refuse("registry-old", "登记名册第%d版比本站已有的第%d版旧", "registry version %d is older than the %d this station holds", r.Version, have)
		}
	}
	reg := store.Registry{}
	for _, e := range r.Examiners {
		x := store.Examiner{ID: e.ID, Name: e.Name, PinHash: e.PinHash}
		for _, c := range e.Certificates {
			x.Certificates = append(x.Certificates, store.Certificate(c))
		}
		reg.Examiners = append(reg.Examiners, x)
	}
	for _, q := range r.Equipment {
		reg.Equipment = append(reg.Equipment, store.Equipment(q))
	}
	if err := s.st.ReplaceRegistry(ctx, reg); err != nil {
		return nil, err
	}
	if err := s.st.SetRegistryVersion(ctx, r.Version); err != nil {
		return nil, err
	}
	if err := s.setTrainingSite(ctx, r.Training); err != nil {
		return nil, err
	}
	return &r, nil
}
