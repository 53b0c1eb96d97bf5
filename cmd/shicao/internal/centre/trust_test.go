package centre_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/standards"
	"shicao/standards/library"
	"shicao/standards/standardstest"
)

// TestCentre_Publish_UntrustedKey: a standard signed by a key the centre
// has not pinned is refused as the centre's refusal ("this centre does not
// trust"), with the keys as fields, so the command line words its advice
// without editing the text.
func TestCentre_Publish_UntrustedKey(t *testing.T) {
	t.Parallel()
	c := centretest.NewCentre(t, centretest.NewStation(t, ""))
	text, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	signed := standardstest.NewProvince(t, "stranger").Sign(t, text)
	_, err = c.Publish(context.Background(), "k42.signed", signed)
	var uk *standards.UntrustedKeyError
	if !errors.As(err, &uk) {
		t.Fatalf("got %v, want an *UntrustedKeyError", err)
	}
	if uk.Holder != "centre" || len(uk.Signers) != 1 || !strings.HasPrefix(uk.Signers[0], "stranger+") {
		t.Errorf("refused by %q for signers %q, want the centre refusing stranger's key", uk.Holder, uk.Signers)
	}
	if !strings.Contains(err.Error(), "signed only by keys this centre does not trust") {
		t.Errorf("message %q does not say the centre refuses", err)
	}
}
