//go:build hardware

package hardwaretest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"shicao/hardware"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/profiles"
)

// TestRealPort runs the conformance suite against a device on a real
// serial port: SHICAO_SERIAL_PORT names the port (a /dev/serial/by-id name
// is best) and SHICAO_PROFILE the embedded profile or a profile file
// (default cpr). Run with: go test -tags hardware ./hardware/hardwaretest/
func TestRealPort(t *testing.T) {
	path := os.Getenv("SHICAO_SERIAL_PORT")
	if path == "" {
		t.Fatal("SHICAO_SERIAL_PORT is not set: name the port the device is on")
	}
	name := os.Getenv("SHICAO_PROFILE")
	if name == "" {
		name = string(hardware.KindCPR)
	}
	p, err := profiles.Load(name)
	if err != nil {
		if p, err = loadProfileFile(name); err != nil {
			t.Fatal(err)
		}
	}
	hardwaretest.Conformance(t, hardwaretest.Subject{Profile: p, Path: path}, 0)
}

// loadProfileFile parses a profile from a file, for real devices whose
// profile is not embedded.
func loadProfileFile(path string) (*profiles.Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load profile: %w", err)
	}
	return profiles.Parse(filepath.Base(path), data)
}
