// Package demo is the embedded default of `make run`: demo keys (clearly
// named, trusted only by `shicao demo` and tests), the sample library
// signed with the demo province key, and a demo exam day — a site, its
// equipment, examiners with printed PINs, candidates and a plan.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	"shicao/standards/library"
	examsync "shicao/sync"
)

// The demo keys. A real station never trusts them: they are in this
// public repository.
var (
	//go:embed demo-province.key
	provinceKey string
	//go:embed demo-province.pub
	provincePub string
	//go:embed demo-centre.key
	centreKey string
	//go:embed demo-centre.pub
	centrePub string
)

// ProvinceKeys returns the demo province's signer and verifier keys.
func ProvinceKeys() (signer, verifier string) {
	return strings.TrimSpace(provinceKey), strings.TrimSpace(provincePub)
}

// CentreKeys returns the demo centre's signer and verifier keys.
func CentreKeys() (signer, verifier string) {
	return strings.TrimSpace(centreKey), strings.TrimSpace(centrePub)
}

// The demo exam day.
const (
	Site     = "TA-KD-01" // 泰安市安全生产培训考务中心 第一考点
	SiteName = "泰安市安全生产培训考务中心第一考点"
	Station  = "STN-01"
	Category = "低压电工作业"
	PlanID   = "TA-2026-DG-001"
	Paper    = "SD-DG-PAPER"
)

// ExaminerSeed is a demo examiner with the PIN the demo prints.
type ExaminerSeed struct {
	ID, Name, PIN string
	Certificates  []examsync.Certificate
}

// Examiners are the demo examiners: two on the plan with valid
// certificates, one whose certificate expired, one who holds only a
// welding certificate (to show the refusals).
var Examiners = []ExaminerSeed{
	{"370902198001011230", "王建国", "123456", []examsync.Certificate{{Category: Category, Number: "T370902198001011230", ValidFrom: "2023-06-01", ValidTo: "2029-05-31"}}},
	{"37090219820202234X", "李秀英", "567890", []examsync.Certificate{{Category: Category, Number: "T37090219820202234X", ValidFrom: "2024-03-15", ValidTo: "2030-03-14"}}},
	{"370902197505053456", "张伟", "111111", []examsync.Certificate{{Category: Category, Number: "T370902197505053456", ValidFrom: "2018-01-01", ValidTo: "2024-01-01"}}},
	{"370902197909094561", "刘洋", "222222", []examsync.Certificate{{Category: "熔化焊接与热切割作业", Number: "T370902197909094561", ValidFrom: "2022-01-01", ValidTo: "2028-01-01"}}},
}

// Candidates are the demo plan's candidates.
var Candidates = []examsync.Candidate{
	{IDNumber: "370902199903081216", Name: "陈明", Attempt: 1},
	{IDNumber: "37090220000415232X", Name: "赵丽", Attempt: 1},
	{IDNumber: "370902199811213437", Name: "孙强", Attempt: 1},
	{IDNumber: "37090220010630454X", Name: "周敏", Attempt: 2},
	{IDNumber: "370902199707125656", Name: "吴刚", Attempt: 1},
}

// CategoryPlan is one category's plan in the demo day: its own plan id,
// blueprint and one candidate, examined by the same two examiners.
type CategoryPlan struct {
	ID, Category, Blueprint string
	Candidate               examsync.Candidate
}

// CategoryPlans are the demo day's other categories, one candidate each, so
// that a whole paper of every category in the library can be drawn, scored
// and synced (the 低压电工 plan, Plan, comes first: plans list by id).
var CategoryPlans = []CategoryPlan{
	{"TA-2026-GY-001", "高压电工作业", "SD-GY-PAPER", examsync.Candidate{IDNumber: "370902199602141019", Name: "郑磊", Attempt: 1}},
	{"TA-2026-HJ-001", "熔化焊接与热切割作业", "SD-HJ-PAPER", examsync.Candidate{IDNumber: "370902199305052028", Name: "冯静", Attempt: 1}},
	{"TA-2026-GC-001", "高处安装、维护、拆除作业", "SD-GC-PAPER", examsync.Candidate{IDNumber: "370902199509173032", Name: "韩涛", Attempt: 1}},
	{"TA-2026-DJ-001", "登高架设作业", "SD-DJ-PAPER", examsync.Candidate{IDNumber: "370902199801014047", Name: "许婷", Attempt: 1}},
	{"TA-2026-ZLY-001", "制冷与空调设备运行操作作业", "SD-ZLY-PAPER", examsync.Candidate{IDNumber: "370902199207225052", Name: "蒋军", Attempt: 1}},
	{"TA-2026-ZLA-001", "制冷与空调设备安装修理作业", "SD-ZLA-PAPER", examsync.Candidate{IDNumber: "370902199711036066", Name: "沈洁", Attempt: 1}},
	{"TA-2026-YH-001", "烟花爆竹储存作业", "SD-YH-PAPER", examsync.Candidate{IDNumber: "370902199403187073", Name: "曹勇", Attempt: 1}},
}

// The two examiners on the plans also hold a certificate of each category
// of CategoryPlans, valid as long as their 低压电工 one and numbered after
// it (T…-GY, T…-HJ...): the notice's table has one row per person and
// category. Their 低压电工 certificate stays the first.
func init() {
	for i := range Examiners[:2] {
		first := Examiners[i].Certificates[0]
		for _, p := range CategoryPlans {
			code := strings.Split(p.ID, "-")[2]
			Examiners[i].Certificates = append(Examiners[i].Certificates,
				examsync.Certificate{Category: p.Category, Number: first.Number + "-" + code, ValidFrom: first.ValidFrom, ValidTo: first.ValidTo})
		}
	}
}

// Equipment is the demo site's registered equipment: one of each kind the
// sample standards need, with the serial numbers the simulators report.
var Equipment = []examsync.Equipment{
	{Serial: "SIMCPR000001", Kind: "cpr", Model: "SHICAO-CPR-1", Site: Site},
	{Serial: "SIMEXT000001", Kind: "extinguisher", Model: "SHICAO-EXT-1", Site: Site},
	{Serial: "SIMSCBA00001", Kind: "scba", Model: "SHICAO-SCBA-1", Site: Site},
	{Serial: "SIMBOARD0001", Kind: "board", Model: "SHICAO-BOARD-1", Site: Site},
	{Serial: "SIMPPE000001", Kind: "ppe", Model: "SHICAO-PPE-1", Site: Site},
	{Serial: "SIMHOOK00001", Kind: "harness", Model: "SHICAO-HOOK-1", Site: Site},
}

// SignedLibrary returns every library file signed with the demo province key.
func SignedLibrary() (map[string][]byte, error) {
	signer, _ := ProvinceKeys()
	out := map[string][]byte{}
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			return nil, err
		}
		signed, err := standards.Sign(b, signer)
		if err != nil {
			return nil, fmt.Errorf("sign %s: %w", name, err)
		}
		out[name] = signed
	}
	return out, nil
}

// Registry returns the demo registry document (PINs hashed).
func Registry() (*examsync.Registry, error) {
	r := &examsync.Registry{Kind: examsync.KindRegistry, Site: Site, Version: 1, Equipment: Equipment}
	for _, e := range Examiners {
		h, err := credential.HashPIN(e.PIN)
		if err != nil {
			return nil, err
		}
		r.Examiners = append(r.Examiners, examsync.Examiner{ID: e.ID, Name: e.Name, PinHash: h, Certificates: e.Certificates})
	}
	return r, nil
}

// Plan returns the demo plan for a date.
func Plan(date string) *examsync.Plan {
	return &examsync.Plan{Kind: examsync.KindPlan, ID: PlanID, Date: date, Site: Site, Station: Station, Category: Category, Blueprint: Paper,
		Candidates: Candidates, Examiners: []string{Examiners[0].ID, Examiners[1].ID}}
}

// Plans returns every plan of the demo day for a date: Plan first, then
// one per CategoryPlans entry.
func Plans(date string) []*examsync.Plan {
	out := []*examsync.Plan{Plan(date)}
	for _, c := range CategoryPlans {
		out = append(out, &examsync.Plan{Kind: examsync.KindPlan, ID: c.ID, Date: date, Site: Site, Station: Station, Category: c.Category, Blueprint: c.Blueprint,
			Candidates: []examsync.Candidate{c.Candidate}, Examiners: []string{Examiners[0].ID, Examiners[1].ID}})
	}
	return out
}

// BulkPlan returns a plan like the demo plan under another id with n
// made-up candidates (valid 身份证号, born in 1991, distinct up to 336,000): for campaigns and
// benchmarks that examine more people than the demo plan lists, since a
// candidate is examined once per plan and attempt.
func BulkPlan(date, id string, n int) *examsync.Plan {
	p := Plan(date)
	p.ID, p.Candidates = id, make([]examsync.Candidate, n)
	for i := range p.Candidates {
		// 1,000 a day over 28 days a month and 12 months: 336,000 distinct
		// numbers (the 100,000 of the scale benchmark collided at 28,000).
		first17 := fmt.Sprintf("3709021991%02d%02d%03d", 1+i/28000%12, 1+i/1000%28, i%1000)
		p.Candidates[i] = examsync.Candidate{IDNumber: first17 + string(credential.IDCheckChar(first17)), Name: fmt.Sprintf("考生%d", i), Attempt: 1}
	}
	return p
}

// SignPlan signs a plan with the demo centre key.
func SignPlan(p *examsync.Plan) ([]byte, error) {
	signer, _ := CentreKeys()
	return examsync.Sign(p, signer)
}

// IssueBulkPlan signs a BulkPlan for the station's today with the demo
// centre key and imports it, returning its candidates.
func IssueBulkPlan(ctx context.Context, s *station.Station, id string, n int) ([]examsync.Candidate, error) {
	p := BulkPlan(s.Today().String(), id, n)
	signed, err := SignPlan(p)
	if err != nil {
		return nil, err
	}
	if _, err := s.ImportPlan(ctx, signed); err != nil {
		return nil, err
	}
	return p.Candidates, nil
}

// Seed fills a fresh station with the demo day: it trusts the demo
// province and centre keys, installs the signed sample library, and
// imports the demo registry and today's plans (one per category), all
// through the same checks a real station applies.
func Seed(ctx context.Context, s *station.Station) error {
	_, provinceVerifier := ProvinceKeys()
	centreSigner, centreVerifier := CentreKeys()
	if err := s.Store().AddTrustRoot(ctx, "shicao-demo-province", provinceVerifier); err != nil {
		return err
	}
	if err := s.SetCentre(ctx, centreVerifier); err != nil {
		return err
	}
	lib, err := SignedLibrary()
	if err != nil {
		return err
	}
	for _, name := range library.Names() {
		if _, err := s.Install(ctx, name, lib[name]); err != nil {
			return fmt.Errorf("install %s: %w", name, err)
		}
	}
	reg, err := Registry()
	if err != nil {
		return err
	}
	signedReg, err := examsync.Sign(reg, centreSigner)
	if err != nil {
		return err
	}
	if _, err := s.ImportRegistry(ctx, signedReg); err != nil {
		return err
	}
	for _, p := range Plans(s.Today().String()) {
		signedPlan, err := examsync.Sign(p, centreSigner)
		if err != nil {
			return err
		}
		if _, err := s.ImportPlan(ctx, signedPlan); err != nil {
			return fmt.Errorf("import plan %s: %w", p.ID, err)
		}
	}
	return nil
}
