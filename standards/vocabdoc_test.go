package standards_test

import (
	"errors"
	"strings"
	"testing"

	"shicao/standards"
)

const aedDoc = `version: 2
devices:
  aed:
    title: 除颤仪训练机
    events:
      aed.shock: {joules: int}
  cpr:
    title: 心肺复苏模拟人
    events:
      cpr.compression: {rate_cpm: int}
`

func signedVocab(t *testing.T, text string) ([]byte, *standards.Trust) {
	t.Helper()
	signer, verifier, err := standards.GenerateKey("province-test")
	if err != nil {
		t.Fatal(err)
	}
	trust, err := standards.NewTrust(1, verifier)
	if err != nil {
		t.Fatal(err)
	}
	b, err := standards.Sign([]byte(text), signer)
	if err != nil {
		t.Fatal(err)
	}
	return b, trust
}

// A signed vocabulary document adds a device kind, an event type and a
// field; a standard that selects the new type loads against the extended
// vocabulary and not against the base.
func TestVocabularyDoc_Adds(t *testing.T) {
	b, trust := signedVocab(t, aedDoc)
	doc, err := standards.OpenVocabulary(b, trust)
	if err != nil {
		t.Fatal(err)
	}
	v, err := standards.DefaultVocabulary().Extend(doc)
	if err != nil {
		t.Fatal(err)
	}
	if v.Types["aed.shock"] == nil || v.Devices["aed"] == "" {
		t.Fatalf("aed.shock not added: %v", v.DeviceKinds())
	}
	var names []string
	for _, f := range v.Types["cpr.compression"].Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "depth_mm,position,rate_cpm,recoil" {
		t.Errorf("cpr.compression fields = %s", got)
	}
	if len(standards.DefaultVocabulary().Types["cpr.compression"].Fields) != 3 {
		t.Error("Extend changed the base vocabulary")
	}
	std := `id: SD-X-AED
version: 1
title: 除颤
category: 通用科目
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
	if _, err := standards.ParseWith(v, "aed.yaml", []byte(std)); err != nil {
		t.Fatalf("the standard does not load against the extended vocabulary: %v", err)
	}
	if _, err := standards.Parse("aed.yaml", []byte(std)); err == nil {
		t.Fatal("the standard loads against the base vocabulary, which has no aed.shock")
	}
}

// A document may only add; it is signed by the province; its version is
// after the base and after the one installed.
func TestVocabularyDoc_Refusals(t *testing.T) {
	change, trust := signedVocab(t, "version: 2\ndevices:\n  cpr:\n    title: 心肺复苏模拟人\n    events:\n      cpr.compression: {depth_mm: float}\n")
	doc, err := standards.OpenVocabulary(change, trust)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := standards.DefaultVocabulary().Extend(doc); err == nil || !strings.Contains(err.Error(), "cpr.compression.depth_mm: type float changes int") {
		t.Errorf("a changed field type: %v", err)
	}
	b, _ := signedVocab(t, aedDoc)
	if _, err := standards.OpenVocabulary(b, trust); err == nil {
		t.Error("a document signed by another key opens")
	}
	base, trust2 := signedVocab(t, strings.Replace(aedDoc, "version: 2", "version: 1", 1))
	if _, err := standards.OpenVocabulary(base, trust2); err == nil || !strings.Contains(err.Error(), "built-in base") {
		t.Errorf("version 1: %v", err)
	}
	v2, trust3 := signedVocab(t, aedDoc)
	d2, err := standards.OpenVocabulary(v2, trust3)
	if err != nil {
		t.Fatal(err)
	}
	if err := standards.CheckVocabularyVersion(2, v2, d2); !errors.Is(err, standards.ErrInstalled) {
		t.Errorf("the same bytes again: %v, want ErrInstalled", err)
	}
	if err := standards.CheckVocabularyVersion(3, []byte("v3"), d2); !errors.Is(err, standards.ErrRollback) {
		t.Errorf("version 2 over 3: %v, want ErrRollback", err)
	}
	if err := standards.CheckVocabularyVersion(2, []byte("other"), d2); !errors.Is(err, standards.ErrEquivocation) {
		t.Errorf("other bytes as version 2: %v, want ErrEquivocation", err)
	}
	if err := standards.CheckVocabularyVersion(1, nil, d2); err != nil {
		t.Errorf("version 2 over the base: %v", err)
	}
}
