package centre_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestRegistryFor_PlanExaminersOnly: a station's registry carries the PIN
// hashes of the examiners on its plans and of nobody else; a new plan
// brings its examiners with a higher registry version.
func TestRegistryFor_PlanExaminersOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	_, centreKey := demo.CentreKeys()
	registry := func(stationName string) examsync.Registry {
		t.Helper()
		signed, err := r.c.RegistryFor(ctx, stationName)
		if err != nil {
			t.Fatal(err)
		}
		var reg examsync.Registry
		if err := examsync.Open(signed, centreKey, examsync.KindRegistry, &reg); err != nil {
			t.Fatal(err)
		}
		return reg
	}
	ids := func(reg examsync.Registry) []string {
		var out []string
		for _, x := range reg.Examiners {
			out = append(out, x.ID)
		}
		return out
	}

	reg := registry(demo.Station)
	if got, want := ids(reg), []string{demo.Examiners[0].ID, demo.Examiners[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("%s's registry holds examiners %v, want the plan's %v", demo.Station, got, want)
	}
	if len(reg.Equipment) != len(demo.Equipment) || reg.Examiners[0].PinHash == "" || len(reg.Examiners[0].Certificates) == 0 {
		t.Fatalf("registry: %d devices, PIN hash %q, %d certificates", len(reg.Equipment), reg.Examiners[0].PinHash, len(reg.Examiners[0].Certificates))
	}

	// A second station at the site, with no plan yet: no examiner at all.
	_, pub, err := standards.GenerateKey("STN-02")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.AddStation(ctx, "STN-02", demo.Site, pub); err != nil {
		t.Fatal(err)
	}
	before := registry("STN-02")
	if len(before.Examiners) != 0 {
		t.Fatalf("STN-02 has no plan but gets examiners %v", ids(before))
	}
	_, err = r.c.ImportPlans(ctx, []centre.PlanRow{{Plan: "TA-2026-DG-002", Date: r.st.S.Today().String(), Site: demo.Site, Station: "STN-02",
		Category: demo.Category, Blueprint: demo.Paper, IDNumber: demo.Candidates[0].IDNumber, Name: demo.Candidates[0].Name,
		Examiners: []string{demo.Examiners[1].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	after := registry("STN-02")
	if got := ids(after); !slices.Equal(got, []string{demo.Examiners[1].ID}) {
		t.Fatalf("after its plan, STN-02 gets examiners %v, want %s only", got, demo.Examiners[1].ID)
	}
	if after.Version <= before.Version {
		t.Fatalf("registry version %d after the plan, %d before: a station would keep the old one", after.Version, before.Version)
	}
	if got := ids(registry(demo.Station)); len(got) != 2 {
		t.Fatalf("%s's registry changed to %v", demo.Station, got)
	}
}

// TestImportExaminers_NeverStripsCertificates: a file without the 证书编号
// column is refused, a blank number does not revoke a certificate held,
// and 是否持证 否 does.
func TestImportExaminers_NeverStripsCertificates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	dir := t.TempDir()
	x := demo.Examiners[0]
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, err := centre.ExaminerRowsFromFile(write("no-number.csv", "身份证号,考评员姓名,作业类别,有效期起,有效期止\n"+x.ID+","+x.Name+","+demo.Category+",2023-06-01,2029-05-31\n"))
	if err == nil || !strings.Contains(err.Error(), "the header lacks the column(s) 证书编号") {
		t.Fatalf("a file without 证书编号: %v", err)
	}
	rows, err := centre.ExaminerRowsFromFile(write("blank.csv", "身份证号,考评员姓名,作业类别,证书编号\n"+x.ID+","+x.Name+","+demo.Category+",\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = r.c.ImportExaminers(ctx, rows)
	if err == nil || !strings.Contains(err.Error(), "holds 低压电工作业 certificate T370902198001011230, and the row's 证书编号 is empty: to record that they no longer hold it, write 否 in 是否持证") {
		t.Fatalf("a blank number: %v", err)
	}
	held := func() string {
		all, err := r.c.Examiners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			if e.ID == x.ID {
				for _, c := range e.Certificates {
					if c.Category == demo.Category {
						return c.Number
					}
				}
			}
		}
		return ""
	}
	if got := held(); got != "T370902198001011230" {
		t.Fatalf("after the refused import the certificate is %q", got)
	}
	rows, err = centre.ExaminerRowsFromFile(write("revoke.csv", "身份证号,考评员姓名,作业类别,证书编号,是否持证\n"+x.ID+","+x.Name+","+demo.Category+",,否\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.ImportExaminers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != "" {
		t.Fatalf("after 是否持证 否 the certificate is %q", got)
	}
	// The demo plan names this examiner: it cannot be examined as issued.
	warn, err := r.c.Unexaminable(ctx)
	if err != nil || len(warn) != 1 || !strings.Contains(warn[0], "plan TA-2026-DG-001") || !strings.Contains(warn[0], "holds no 低压电工作业 certificate") {
		t.Fatalf("plans left without a certified examiner: %q %v", warn, err)
	}
	for _, pin := range []string{"1", "1234", "12345", "12345a"} {
		err = r.c.ImportExaminers(ctx, []centre.ExaminerRow{{ID: "370902199001010013", Name: "新人", Category: demo.Category, PIN: pin}})
		if err == nil || !strings.Contains(err.Error(), "row 1: 初始密码 of examiner 370902199001010013: a PIN must be at least 6 digits (0-9)") {
			t.Fatalf("PIN %s: %v", pin, err)
		}
	}
	_, err = centre.ExaminerRowsFromFile(write("bad-held.csv", "身份证号,考评员姓名,作业类别,证书编号,是否持证\n"+x.ID+","+x.Name+","+demo.Category+",,maybe\n"))
	if err == nil || !strings.Contains(err.Error(), `row 1: 是否持证 "maybe": want 是 or 否`) {
		t.Fatalf("是否持证 maybe: %v", err)
	}
}
