package station_test

import (
	"context"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// wantRefusal fails unless err is a refusal with the code and both texts.
func wantRefusal(t *testing.T, err error, code, en, zh string) {
	t.Helper()
	r, ok := err.(*station.Refusal)
	if !ok {
		t.Fatalf("got %v, want refusal %s: %s", err, code, en)
	}
	if r.Code != code || r.Text("en") != en || r.Text("zh") != zh {
		t.Fatalf("refusal %s\n  en %s\n  zh %s\nwant %s\n  en %s\n  zh %s", r.Code, r.Text("en"), r.Text("zh"), code, en, zh)
	}
}

// issue signs a plan with the demo centre key and imports it.
func (f *fixture) issue(t *testing.T, p *examsync.Plan) {
	t.Helper()
	centreSigner, _ := demo.CentreKeys()
	signed, err := examsync.Sign(p, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportPlan(context.Background(), signed); err != nil {
		t.Fatal(err)
	}
}

// verify opens an exam on the demo plan, signs the two demo examiners in
// and verifies the candidate.
func (f *fixture) verify(t *testing.T, id string) (*station.Exam, error) {
	t.Helper()
	ex, err := f.s.NewExam(context.Background(), demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	signInBoth(t, ex)
	_, err = ex.VerifyCandidate(context.Background(), id)
	return ex, err
}

// TestVerifyCandidate_ExaminedOnce: a candidate with a signed result on
// the plan for the attempt is not examined again (the operator's report:
// 陈明 examined twice on one plan, two results); a resit the centre
// schedules (the plan re-issued with attempt 2) is examined, once.
func TestVerifyCandidate_ExaminedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	chen := demo.Candidates[0] // 陈明, attempt 1 on the demo plan
	first := f.runExam(t, chen.IDNumber, "perfect")

	_, err := f.verify(t, chen.IDNumber)
	wantRefusal(t, err, "candidate-examined",
		"candidate 陈明 (370902********1216) already has a result on plan TA-2026-DG-001 for attempt 1: "+first.ID+"; another attempt must be scheduled by the centre",
		"考生 陈明（370902********1216）已有本计划第1次考试的成绩 "+first.ID+"，不能再考：补考须由考务中心另行安排")
	// The others on the plan are examined as before.
	if _, err := f.verify(t, demo.Candidates[1].IDNumber); err != nil {
		t.Fatalf("another candidate: %v", err)
	}

	// The centre re-issues the plan with 陈明's resit (补考).
	p := demo.Plan(f.s.Today().String())
	p.Candidates = append([]examsync.Candidate(nil), demo.Candidates...)
	p.Candidates[0].Attempt = 2
	f.issue(t, p)
	resit := f.runExam(t, chen.IDNumber, "perfect")
	if resit.Doc.Candidate.Attempt != 2 {
		t.Fatalf("the resit's result says attempt %d", resit.Doc.Candidate.Attempt)
	}
	_, err = f.verify(t, chen.IDNumber)
	wantRefusal(t, err, "candidate-examined",
		"candidate 陈明 (370902********1216) already has a result on plan TA-2026-DG-001 for attempt 2: "+resit.ID+"; another attempt must be scheduled by the centre",
		"考生 陈明（370902********1216）已有本计划第2次考试的成绩 "+resit.ID+"，不能再考：补考须由考务中心另行安排")
	results, err := f.s.Store().Results(context.Background())
	if err != nil || len(results) != 2 {
		t.Fatalf("%d results (%v), want the two attempts", len(results), err)
	}
}

// TestVerifyCandidate_Unfinished: a candidate whose item is still running
// (a crash left it so) is not admitted to a new attempt until that one is
// voided: it too could end in a result.
func TestVerifyCandidate_Unfinished(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	sun := demo.Candidates[2].IDNumber // 孙强
	ex, err := f.verify(t, sun)
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, "unfinished")
	if err != nil {
		t.Fatal(err)
	}
	passReferences(t, f.s, ex)
	if _, err := ex.StartItem(ctx, drawn[0].Subject, allDevices()); err != nil {
		t.Fatal(err)
	}
	f.s.Close() // the crash
	s2, err := station.OpenDir(ctx, f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	f.s = s2
	_, err = f.verify(t, sun)
	wantRefusal(t, err, "candidate-unfinished",
		"candidate 孙强 (370902********3437) has an unfinished attempt "+ex.AttemptID()+" on this plan: resume it, or void it with a reason, first",
		"考生 孙强（370902********3437）在本计划有未完成的考试 "+ex.AttemptID()+"：请先恢复该考试，或写明理由作废")
	rex, err := s2.ResumeExam(ctx, ex.AttemptID())
	if err != nil {
		t.Fatal(err)
	}
	if err := rex.Void(ctx, "考生突发不适，经考评组同意终止"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verify(t, sun); err != nil {
		t.Fatalf("after the void: %v", err)
	}
}

// TestExam_NobodyExaminesThemself: an examiner's 身份证号 on the plan's
// roster. The candidate is refused while that examiner is signed in;
// once that candidate is verified, that examiner cannot sign in.
func TestExam_NobodyExaminesThemself(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	centreSigner, _ := demo.CentreKeys()
	// The registry gains a third examiner, 赵刚, with a valid certificate.
	zhao := "37090219850505" + "321"
	zhao += string(credential.IDCheckChar(zhao))
	reg, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := credential.HashPIN("4321")
	reg.Version = 2
	reg.Examiners = append(reg.Examiners, examsync.Examiner{ID: zhao, Name: "赵刚", PinHash: hash,
		Certificates: []examsync.Certificate{{Category: demo.Category, Number: "T" + zhao, ValidFrom: "2024-01-01", ValidTo: "2030-01-01"}}})
	signedReg, err := examsync.Sign(reg, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportRegistry(ctx, signedReg); err != nil {
		t.Fatal(err)
	}
	// A plan (wrongly) listing 李秀英 and 赵刚 as candidates too.
	li := demo.Examiners[1] // 37090219820202234X
	p := demo.Plan(f.s.Today().String())
	p.Examiners = append(p.Examiners, zhao)
	p.Candidates = append(append([]examsync.Candidate(nil), demo.Candidates...),
		examsync.Candidate{IDNumber: li.ID, Name: li.Name, Attempt: 1},
		examsync.Candidate{IDNumber: zhao, Name: "赵刚", Attempt: 1})
	f.issue(t, p)

	ex, err := f.verify(t, strings.ToLower(li.ID)) // x or X: the same person
	wantRefusal(t, err, "candidate-is-examiner",
		"candidate 李秀英 (370902********234X) is a signed-in examiner, and an examiner may not examine themself",
		"考生 李秀英（370902********234X）是已登录的考评员，考评员不得考评自己")
	if _, err := ex.VerifyCandidate(ctx, zhao); err != nil {
		t.Fatal(err)
	}
	// 赵刚 is the candidate now: refused before the PIN is looked at, so
	// a wrong PIN neither counts against him nor changes the answer.
	for _, pin := range []string{"000000", "432100"} {
		_, err = ex.SignIn(ctx, zhao, pin)
		wantRefusal(t, err, "examiner-is-candidate",
			"examiner 赵刚 (370902********"+zhao[14:]+") is this exam's candidate and may not examine themself",
			"考评员 赵刚（370902********"+zhao[14:]+"）是本场考生，不得考评自己")
	}
	if n := len(ex.Examiners()); n != 2 {
		t.Fatalf("%d examiners signed in, want the two", n)
	}
}
