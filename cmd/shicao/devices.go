package main

import (
	"context"
	"fmt"

	"shicao/hardware/serialport"
)

// devicesCmd is `shicao devices`: the serial ports present, with their
// USB identity and stable names, for the technician to give a station.
func devicesCmd() *Command {
	c := &Command{
		UsageLine: "devices",
		Short:     "the serial ports present, with USB identity and stable names",
		Long:      "Examples:\n  shicao devices\n",
	}
	c.Run = func(ctx context.Context, e *env, args []string) error {
		ports, err := serialport.List()
		if err != nil {
			return fmt.Errorf("list serial ports: %w", err)
		}
		if len(ports) == 0 {
			fmt.Fprintln(e.stdout, "no serial ports found")
			return nil
		}
		t := &table{}
		t.add("port", "stable name", "usb", "serial", "product")
		for _, p := range ports {
			usb := "-"
			if p.USB {
				usb = p.VID + ":" + p.PID
			}
			t.add(p.Path, p.StablePath, usb, p.Serial, p.Product)
		}
		return t.write(e.stdout)
	}
	return c
}
