package centre_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestCentre_PublishVocabulary: the centre publishes a vocabulary
// document with the rules a station installs it by — province-signed, a
// later version, only additions to what it published before — and
// refuses the others with their reason; the one published is the
// centre's vocabulary (equipment of a new kind can be registered).
func TestCentre_PublishVocabulary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "centre")
	centreSigner, _ := demo.CentreKeys()
	centretest.Init(t, dir, "", centreSigner)
	c, err := centre.Open(ctx, dir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	signer, province := demo.ProvinceKeys()
	if err := c.AddTrustRoot(ctx, province); err != nil {
		t.Fatal(err)
	}
	sign := func(text string) []byte {
		t.Helper()
		b, err := standards.Sign([]byte(text), signer)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const v2 = "version: 2\ndevices:\n  aed:\n    title: 除颤仪训练机\n    events:\n      aed.shock: {joules: int}\n"
	const v3 = v2 + "      aed.pads: {placed: bool}\n"
	v3Text := strings.Replace(v3, "version: 2", "version: 3", 1)

	if err := c.AddSite(ctx, centre.Site{ID: "S-1", Name: "site", Accepted: true}); err != nil {
		t.Fatal(err)
	}
	aed := examsync.Equipment{Serial: "AED-1", Kind: "aed", Model: "AED trainer", Site: "S-1"}
	if err := c.AddEquipment(ctx, aed); err == nil || !strings.Contains(err.Error(), "not a device kind") {
		t.Fatalf("an aed before the vocabulary: %v, want refused", err)
	}
	if _, err := c.PublishVocabulary(ctx, sign(v2)); err != nil {
		t.Fatalf("version 2: %v", err)
	}
	if err := c.AddEquipment(ctx, aed); err != nil {
		t.Fatalf("an aed after the vocabulary: %v", err)
	}
	if _, err := c.PublishVocabulary(ctx, sign(v3Text)); err != nil {
		t.Fatalf("version 3: %v", err)
	}
	v, err := c.Vocabulary(ctx)
	if err != nil || v.Version() != 3 || v.Types["aed.pads"] == nil || v.Types["cpr.compression"] == nil {
		t.Fatalf("the centre's vocabulary: %v, %v; want version 3 with aed.pads and the base", v, err)
	}

	other, _, _ := standards.GenerateKey("not-the-province")
	forged, _ := standards.Sign([]byte(strings.Replace(v3Text, "version: 3", "version: 4", 1)), other)
	tests := []struct {
		name   string
		signed []byte
		is     error  // the sentinel, if any
		reason string // in the refusal
	}{
		{"ErrInstalled", sign(v3Text), standards.ErrInstalled, "version 3"},
		{"ErrEquivocation", sign(strings.Replace(v2, "aed.shock: {joules: int}", "aed.shock: {joules: int, ms: int}", 1)), standards.ErrEquivocation, "version 2"},
		{"Older", sign(strings.Replace(v2, "version: 2", "version: 1", 1)), nil, "version 2 or later"},
		{"RemovesType", sign("version: 4\ndevices:\n  aed:\n    title: 除颤仪训练机\n    events:\n      aed.pads: {placed: bool}\n"), nil, "aed.shock is missing"},
		{"ChangesType", sign("version: 4\ndevices:\n  cpr:\n    title: 心肺复苏模拟人\n    events:\n      cpr.compression: {recoil: int}\n"), nil, "may only add"},
		{"NotProvince", forged, nil, "not-the-province"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.PublishVocabulary(ctx, tt.signed)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("publish: %v; want refused (%v) naming %q", err, tt.is, tt.reason)
			}
		})
	}
	// A version skipped and then sent is older than the newest: refused.
	c5 := strings.Replace(v3Text, "version: 3", "version: 5", 1)
	if _, err := c.PublishVocabulary(ctx, sign(c5)); err != nil {
		t.Fatalf("version 5: %v", err)
	}
	if _, err := c.PublishVocabulary(ctx, sign(strings.Replace(v3Text, "version: 3", "version: 4", 1))); !errors.Is(err, standards.ErrRollback) {
		t.Fatalf("version 4 after 5: %v, want ErrRollback", err)
	}
	if v, _ := c.Vocabulary(ctx); v.Version() != 5 {
		t.Fatalf("after the refusals the vocabulary is version %d, want 5", v.Version())
	}
}
