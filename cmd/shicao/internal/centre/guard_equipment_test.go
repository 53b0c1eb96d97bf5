package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Equipment: every device on a result is registered to the
// result's site, as the kind the result says (考培分离).
func TestGuard_Equipment(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "equipment", 0)
	if err := r.c.AddEquipment(t.Context(), examsync.Equipment{Serial: "CPR-PX-0001", Kind: "cpr", Model: "SHICAO-SIM-CPR", Site: demo.TrainingSite}); err != nil {
		t.Fatal(err)
	}
	var used examsync.DeviceRef
	withDevice := func(f func(*examsync.DeviceRef)) []byte {
		return centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) {
			for i := range d.Items {
				if len(d.Items[i].Devices) > 0 {
					used = d.Items[i].Devices[0]
					f(&d.Items[i].Devices[0])
					return
				}
			}
			t.Fatal("no item used equipment")
		})
	}
	tests := []refusalCase{
		{"TrainingInstitutions", withDevice(func(d *examsync.DeviceRef) { d.Serial = "CPR-PX-0001" }), 422, centre.CodeEquipment, "serial CPR-PX-0001 is registered to site TA-PX-01, not TA-KD-01 (考培分离)"},
		{"Unregistered", withDevice(func(d *examsync.DeviceRef) { d.Serial = "NO-SUCH-0001" }), 422, centre.CodeEquipment, "(serial NO-SUCH-0001) is not registered with this centre"},
		{"OtherKind", withDevice(func(d *examsync.DeviceRef) { d.Kind = "scba" }), 422, centre.CodeEquipment, "the result says scba"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	t.Run("RemovedAfterExam", func(t *testing.T) {
		if err := r.c.RemoveEquipment(t.Context(), used.Serial); err != nil {
			t.Fatal(err)
		}
		expectRefused(t, r, refusalCase{"RemovedAfterExam", saved.Bundle, 422, centre.CodeEquipment, "(serial " + used.Serial + ") is not registered"})
	})
}
