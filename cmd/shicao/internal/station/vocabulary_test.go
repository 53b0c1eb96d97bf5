package station_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
)

const aedVocabulary = `version: 2
devices:
  aed:
    title: 除颤仪训练机
    events:
      aed.shock: {joules: int}
`

const aedStandard = `id: SD-X-AED
version: 1
title: 除颤
category: 低压电工作业
subject: K4
code: K44
effective: 2024-01-01
time_limit: 5m
devices: [aed]
items:
  - id: shock
    title: 电击
    points: 100
    rules:
      - {id: weak, text: 能量不足, deduct: 5, each: 'filter(events("aed.shock"), .joules < 150)'}
tests:
  - name: perfect
    events:
      - {type: aed.shock, data: {joules: 200}}
    want: {score: 100}
`

// A new kind of equipment arrives as a province-signed vocabulary
// document: before it, a standard for the new kind is refused; after it,
// the standard installs. The document is version-monotonic and signed.
func TestStation_VocabularyInstall(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	signer, _ := demo.ProvinceKeys()
	std, err := standards.Sign([]byte(aedStandard), signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Install(ctx, "aed.yaml", std); err == nil || !strings.Contains(err.Error(), "aed") {
		t.Fatalf("a standard for an unknown kind before the vocabulary: %v, want refused", err)
	}
	voc, err := standards.Sign([]byte(aedVocabulary), signer)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := standards.GenerateKey("not-the-province")
	forged, _ := standards.Sign([]byte(aedVocabulary), other)
	if _, err := f.s.InstallVocabulary(ctx, forged); err == nil {
		t.Fatal("a vocabulary not signed by the province installs")
	}
	doc, err := f.s.InstallVocabulary(ctx, voc)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 {
		t.Errorf("version %d", doc.Version)
	}
	if _, err := f.s.InstallVocabulary(ctx, voc); !errors.Is(err, standards.ErrInstalled) {
		t.Errorf("the same bytes again: %v, want ErrInstalled", err)
	}
	if _, err := f.s.Install(ctx, "aed.yaml", std); err != nil {
		t.Fatalf("the standard after the vocabulary: %v", err)
	}
	v3, _ := standards.Sign([]byte(strings.Replace(aedVocabulary, "version: 2", "version: 3", 1)+"      aed.pads: {placed: bool}\n"), signer)
	if _, err := f.s.InstallVocabulary(ctx, v3); err != nil {
		t.Fatalf("version 3: %v", err)
	}
	if _, err := f.s.InstallVocabulary(ctx, voc); !errors.Is(err, standards.ErrRollback) {
		t.Errorf("version 2 after 3: %v, want ErrRollback", err)
	}
	v, ver, err := f.s.Vocabulary(ctx)
	if err != nil || ver != 3 || v.Types["aed.pads"] == nil || v.Types["aed.shock"] == nil || v.Types["cpr.compression"] == nil {
		t.Fatalf("Vocabulary() = version %d, %v", ver, err)
	}
	// A document that leaves out what the one before added is refused.
	drop, _ := standards.Sign([]byte("version: 4\ndevices:\n  aed:\n    title: 除颤仪训练机\n    events:\n      aed.pads: {placed: bool}\n"), signer)
	if _, err := f.s.InstallVocabulary(ctx, drop); err == nil || !strings.Contains(err.Error(), "aed.shock is missing") {
		t.Errorf("a document without aed.shock: %v, want refused", err)
	}
	// A document that changes a type is refused.
	change, _ := standards.Sign([]byte("version: 4\ndevices:\n  cpr:\n    title: 心肺复苏模拟人\n    events:\n      cpr.compression: {recoil: int}\n"), signer)
	if _, err := f.s.InstallVocabulary(ctx, change); err == nil || !strings.Contains(err.Error(), "may only add") {
		t.Errorf("a change: %v, want refused", err)
	}
}
