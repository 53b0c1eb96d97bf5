package station_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
	examsync "shicao/sync"
)

// twicePlan is the demo plan under another id, with 赵丽's 身份证号
// listed a second time (written with a small x, as a centre's spreadsheet
// might have it).
func twicePlan(date string) *examsync.Plan {
	p := demo.Plan(date)
	p.ID = "TA-2026-DG-TWICE"
	p.Candidates = append(append([]examsync.Candidate(nil), demo.Candidates...),
		examsync.Candidate{IDNumber: strings.ToLower(demo.Candidates[1].IDNumber), Name: "赵丽丽", Attempt: 1})
	return p
}

// TestImportPlan_Refusals: each plan the station will not import, with
// the sentence its operator reads; nothing of it is stored.
func TestImportPlan_Refusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	today := f.s.Today().String()
	centreSigner, _ := demo.CentreKeys()
	tests := []struct {
		name   string
		plan   func() *examsync.Plan
		code   string
		en, zh string
	}{
		{"CandidateTwice", func() *examsync.Plan { return twicePlan(today) }, "plan-candidate-twice",
			"exam plan TA-2026-DG-TWICE lists identity number 370902********232X twice (赵丽, 赵丽丽): the centre must correct the plan and send it again; this station did not import it",
			"考试计划 TA-2026-DG-TWICE 两次列出身份证号 370902********232X（赵丽、赵丽丽）：请考务中心更正考试计划后重新下发，本站未导入该计划"},
		// A station set up at one site but registered at another.
		{"OtherSite", func() *examsync.Plan {
			p := demo.Plan(today)
			p.ID, p.Site = "TA-2026-DG-SITE", "TA-KD-03"
			return p
		}, "plan-other-station",
			"exam plan TA-2026-DG-SITE is for station STN-01 at site TA-KD-03, not this one (station STN-01 at site TA-KD-01): check that the plan was meant for this station, and the name and site the centre registered it under",
			"考试计划 TA-2026-DG-SITE 属于考点 TA-KD-03 的 STN-01，不是本站（考点 TA-KD-01 的 STN-01）：请核对该计划是否发给本站，以及本站在考务中心登记的站名和考点"},
		{"OtherStation", func() *examsync.Plan {
			p := demo.Plan(today)
			p.ID, p.Station = "TA-2026-DG-STN", "STN-11"
			return p
		}, "plan-other-station",
			"exam plan TA-2026-DG-STN is for station STN-11 at site TA-KD-01, not this one (station STN-01 at site TA-KD-01): check that the plan was meant for this station, and the name and site the centre registered it under",
			"考试计划 TA-2026-DG-STN 属于考点 TA-KD-01 的 STN-11，不是本站（考点 TA-KD-01 的 STN-01）：请核对该计划是否发给本站，以及本站在考务中心登记的站名和考点"},
		{"SiteWidePlanElsewhere", func() *examsync.Plan {
			p := demo.Plan(today)
			p.ID, p.Site, p.Station = "TA-2026-DG-WIDE", "TA-KD-03", ""
			return p
		}, "plan-other-station",
			"exam plan TA-2026-DG-WIDE is for site TA-KD-03; this station (STN-01) stands at site TA-KD-01: check the site the centre registered it under",
			"考试计划 TA-2026-DG-WIDE 属于考点 TA-KD-03，本站（STN-01）在考点 TA-KD-01：请核对本站在考务中心登记的考点"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan()
			signed, err := examsync.Sign(p, centreSigner)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.s.ImportPlan(ctx, signed)
			wantRefusal(t, err, tt.code, tt.en, tt.zh)
			if _, err := f.s.Store().PlanByID(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("the refused plan is stored (%v)", err)
			}
		})
	}
}

// TestImportPlan_ExaminerTwice: an examiner listed twice is harmless:
// the plan is imported with the examiner once.
func TestImportPlan_ExaminerTwice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := demo.Plan(f.s.Today().String())
	p.ID = "TA-2026-DG-EX2"
	p.Examiners = append(p.Examiners, p.Examiners[0])
	f.issue(t, p)
	got, err := f.s.Store().PlanByID(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Examiners[:2]; !slices.Equal(got.Examiners, want) {
		t.Fatalf("examiners %v, want %v", got.Examiners, want)
	}
}

// fakeCentre serves signed downlink documents as the centre would (it
// does not check the station's signatures: the station's side is tested).
func fakeCentre(t *testing.T, plans [][]byte, registry []byte) *examsync.Client {
	t.Helper()
	centreSigner, _ := demo.CentreKeys()
	sign := func(doc any) []byte {
		b, err := examsync.Sign(doc, centreSigner)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	list := examsync.Plans{Kind: examsync.KindPlans, Station: demo.Station, Plans: []string{}}
	for _, p := range plans {
		list.Plans = append(list.Plans, string(p))
	}
	docs := map[string][]byte{
		"/v1/standards": sign(examsync.Standards{Kind: examsync.KindStandards, Standards: []examsync.Published{}}),
		"/v1/plans":     sign(list),
		"/v1/registry":  registry,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	stationSigner, _, err := standards.GenerateKey("station-" + demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	c, err := examsync.NewClient(srv.URL, demo.Station, stationSigner, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// held is what the station holds, as the sync command tells the pull.
type held struct{ s *station.Station }

func (h held) PlanSigned(ctx context.Context, id string) ([]byte, error) {
	p, err := h.s.Store().PlanByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p.Signed, err
}

func (h held) RegistryVersion(ctx context.Context) (int64, error) {
	return h.s.Store().RegistryVersion(ctx)
}

// TestPull_RefusedPlanGoesOn: a plan the station refuses (here: a
// 身份证号 listed twice, which failed every later sync with a raw
// UNIQUE constraint error and kept the registry from the station) is
// reported; the other plans and the registry still install.
func TestPull_RefusedPlanGoesOn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	centreSigner, centreKey := demo.CentreKeys()
	today := f.s.Today().String()
	twice, err := examsync.Sign(twicePlan(today), centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	good := demo.Plan(today)
	good.ID = "TA-2026-DG-002"
	goodSigned, err := examsync.Sign(good, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	reg.Version = 2
	regSigned, err := examsync.Sign(reg, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	client := fakeCentre(t, [][]byte{twice, goodSigned}, regSigned)

	for round := 1; round <= 2; round++ {
		rep, err := examsync.Pull(ctx, client, centreKey, f.s, held{f.s}, 0)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want := []string{"TA-2026-DG-TWICE: exam plan TA-2026-DG-TWICE lists identity number 370902********232X twice (赵丽, 赵丽丽): the centre must correct the plan and send it again; this station did not import it"}
		if !slices.Equal(rep.RefusedPlans, want) {
			t.Fatalf("round %d: refused plans %q, want %q", round, rep.RefusedPlans, want)
		}
		// The first round installs the rest; the second has nothing new.
		wantPlans, wantRegistry := []string{"TA-2026-DG-002"}, int64(2)
		if round == 2 {
			wantPlans, wantRegistry = nil, 0
		}
		if !slices.Equal(rep.Plans, wantPlans) || rep.Registry != wantRegistry {
			t.Fatalf("round %d: plans %v, registry %d; want %v and %d", round, rep.Plans, rep.Registry, wantPlans, wantRegistry)
		}
	}
	if v, err := f.s.Store().RegistryVersion(ctx); err != nil || v != 2 {
		t.Fatalf("registry version %d (%v), want 2", v, err)
	}
}
