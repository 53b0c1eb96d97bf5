package station_test

import (
	"context"
	"testing"

	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// subID is a substitute examiner, certified for the demo category.
const subID = "370902197001010009"

// withSubstitute adds the substitute to the station's registry.
func (f *fixture) withSubstitute(t *testing.T) {
	t.Helper()
	r, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := credential.HashPIN("909090")
	r.Version = 2
	r.Examiners = append(r.Examiners, examsync.Examiner{ID: subID, Name: "赵替补", PinHash: h,
		Certificates: []examsync.Certificate{{Category: demo.Category, Number: "T-SUB", ValidFrom: "2020-01-01", ValidTo: "2035-01-01"}}})
	centreSigner, _ := demo.CentreKeys()
	signed, err := examsync.Sign(r, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportRegistry(context.Background(), signed); err != nil {
		t.Fatal(err)
	}
}

// TestExam_Recusal: an examiner declared to belong to the candidate's
// training institution, or who declared the candidate, is refused, in
// whichever order they and the candidate come.
func TestExam_Recusal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	p := demo.Plan(f.s.Today().String())
	p.Candidates = append([]examsync.Candidate(nil), demo.Candidates...)
	p.Candidates[0].Institution = "泰安安培"
	p.Declarations = []examsync.Declaration{{Examiner: demo.Examiners[1].ID, Institutions: []string{"泰安安培"}},
		{Examiner: demo.Examiners[0].ID, Persons: []string{demo.Candidates[1].IDNumber}}}
	f.issue(t, p)

	_, err := f.verify(t, demo.Candidates[0].IDNumber)
	wantRefusal(t, err, "examiner-recused",
		"examiner 李秀英 must not examine candidate 陈明 (370902********1216): both belong to the training institution 泰安安培",
		"考评员 李秀英 须回避考生 陈明（370902********1216）：同属培训机构 泰安安培")
	_, err = f.verify(t, demo.Candidates[1].IDNumber)
	wantRefusal(t, err, "examiner-recused",
		"examiner 王建国 must not examine candidate 赵丽 (370902********232X): the examiner declared them (回避)",
		"考评员 王建国 须回避考生 赵丽（370902********232X）：考评员申报的回避人员")
	if _, err := f.verify(t, demo.Candidates[2].IDNumber); err != nil {
		t.Fatalf("a candidate neither examiner is tied to: %v", err)
	}
	// An examiner signing in after the candidate (resuming, or a third
	// examiner) is checked too.
	f.withSubstitute(t)
	p.Examiners = append(p.Examiners, subID)
	p.Declarations = append(p.Declarations, examsync.Declaration{Examiner: subID, Institutions: []string{"泰安安培"}})
	f.issue(t, p)
	ex, _ := f.s.NewExam(ctx, demo.PlanID)
	signInBoth(t, ex)
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[3].IDNumber); err != nil {
		t.Fatal(err)
	}
	if _, err := ex.SignIn(ctx, subID, "909090"); err != nil {
		t.Fatalf("周敏 has no institution: %v", err)
	}
}

// TestExam_Substitution: an examiner not on the plan is refused (an
// unapproved substitution); once the centre re-issues the plan with the
// substitution, they examine, and the result shows the approval.
func TestExam_Substitution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.withSubstitute(t)
	ex, err := f.s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.SignIn(ctx, demo.Examiners[1].ID, demo.Examiners[1].PIN); err != nil {
		t.Fatal(err)
	}
	_, err = ex.SignIn(ctx, subID, "909090")
	wantRefusal(t, err, "examiner-not-on-plan",
		"examiner 赵替补 ("+station.MaskID(subID)+") is not on exam plan TA-2026-DG-001: a substitute needs the centre's approval on a re-issued plan",
		"考评员 赵替补（"+station.MaskID(subID)+"）未列入考试计划 TA-2026-DG-001：临时替换考评员须经考务中心批准并重新下发考试计划")

	p := demo.Plan(f.s.Today().String())
	p.Examiners = []string{subID, demo.Examiners[1].ID}
	p.Substitutions = []examsync.Substitution{{Out: demo.Examiners[0].ID, In: subID, Reason: "王建国 病假", ApprovedMs: 1}}
	f.issue(t, p)
	ex, _ = f.s.NewExam(ctx, demo.PlanID)
	if _, err := ex.SignIn(ctx, subID, "909090"); err != nil {
		t.Fatal(err)
	}
	if _, err := ex.SignIn(ctx, demo.Examiners[1].ID, demo.Examiners[1].PIN); err != nil {
		t.Fatal(err)
	}
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber); err != nil {
		t.Fatal(err)
	}
	subs := ex.Substitutions()
	if len(subs) != 1 || subs[0].In != subID || subs[0].Reason != "王建国 病假" {
		t.Fatalf("substitutions %+v", subs)
	}
}
