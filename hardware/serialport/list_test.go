package serialport

import "testing"

// TestList runs the enumerator on this machine. There may be no serial
// port at all here; what there is must be described consistently.
func TestList(t *testing.T) {
	ports, err := List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for i, p := range ports {
		if p.Path == "" || p.StablePath == "" {
			t.Errorf("port %+v: want a path and a stable path", p)
		}
		if p.USB && (p.VID == "" || p.PID == "") {
			t.Errorf("USB port %+v without VID/PID", p)
		}
		if i > 0 && ports[i-1].Path > p.Path {
			t.Errorf("ports not sorted: %s before %s", ports[i-1].Path, p.Path)
		}
	}
	t.Logf("%d serial ports", len(ports))
}
