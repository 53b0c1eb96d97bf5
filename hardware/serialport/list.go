package serialport

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"go.bug.st/serial/enumerator"
)

// ByIDDir is where udev keeps stable names for USB serial devices, made
// from the vendor, product and serial number rather than plug order.
const ByIDDir = "/dev/serial/by-id"

// Resolve returns the device node a path names, following symlinks such as
// /dev/serial/by-id names. It returns an error wrapping ErrNotFound when
// nothing is there (the device is unplugged).
func Resolve(path string) (string, error) {
	dev, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, translate(err))
	}
	return dev, nil
}

// StableName returns the /dev/serial/by-id name of the device node dev
// (such as /dev/ttyUSB0), or dev itself when it has none.
func StableName(dev string) string { return stableName(ByIDDir, dev) }

func stableName(dir, dev string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return dev
	}
	want, err := filepath.EvalSymlinks(dev)
	if err != nil {
		return dev
	}
	for _, e := range entries {
		link := filepath.Join(dir, e.Name())
		if got, err := filepath.EvalSymlinks(link); err == nil && got == want {
			return link
		}
	}
	return dev
}

// Info describes one serial port on this machine.
type Info struct {
	Path       string // the device node, e.g. /dev/ttyUSB0
	StablePath string // its /dev/serial/by-id name, or Path when it has none
	USB        bool
	VID, PID   string // hexadecimal, as udev shows them
	Serial     string // the USB serial number, the adapter's identity
	Product    string
}

// List returns the serial ports present, sorted by path.
func List() ([]Info, error) {
	ports, err := enumerator.GetDetailedPortsList()
	if err != nil {
		return nil, fmt.Errorf("list serial ports: %w", err)
	}
	infos := make([]Info, 0, len(ports))
	for _, p := range ports {
		infos = append(infos, Info{Path: p.Name, StablePath: StableName(p.Name), USB: p.IsUSB,
			VID: p.VID, PID: p.PID, Serial: p.SerialNumber, Product: p.Product})
	}
	slices.SortFunc(infos, func(a, b Info) int {
		if a.Path < b.Path {
			return -1
		}
		if a.Path > b.Path {
			return 1
		}
		return 0
	})
	return infos, nil
}
