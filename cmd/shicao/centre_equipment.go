package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
	examsync "shicao/sync"
)

// The centre's registry of exam equipment: a result measured by a device
// not registered to its station's site is refused.

func centreEquipmentCmd() *Command {
	return &Command{
		UsageLine: "centre equipment",
		Short:     "the exam equipment of each site, by serial number",
		Commands:  []*Command{centreEquipmentAddCmd(), centreEquipmentRemoveCmd(), centreEquipmentListCmd()},
	}
}

func centreEquipmentAddCmd() *Command {
	c := &Command{
		UsageLine: "centre equipment add --site SITE --serial SERIAL --kind KIND --model MODEL",
		Short:     "register a device to a site, or move it to another",
		Long:      "Examples:\n  shicao centre equipment add --site TA-KD-01 --serial CPR-2024-0001 --kind cpr --model XF-CPR500\n",
	}
	data := addCentreData(&c.Flag)
	kinds := strings.Join(standards.DefaultVocabulary().DeviceKinds(), ", ")
	var q examsync.Equipment
	c.Flag.StringVar(&q.Site, "site", "", "the site the device belongs to")
	c.Flag.StringVar(&q.Serial, "serial", "", "the device's serial number (as it reports it)")
	c.Flag.StringVar(&q.Kind, "kind", "", "the equipment kind ("+kinds+")")
	c.Flag.StringVar(&q.Model, "model", "", "the model")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if q.Site == "" || q.Serial == "" || q.Kind == "" {
			return usagef("centre equipment add: give --site, --serial and --kind")
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			was, err := ce.PutEquipment(ctx, q)
			if err != nil {
				return err
			}
			printEquipmentChange(e, was, q)
			return nil
		})
	}
	return c
}

// printEquipmentChange says what registering q changed, was being the
// device before (nil: a new one).
func printEquipmentChange(e *env, was *examsync.Equipment, q examsync.Equipment) {
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "equipment %s %s %s registered to site %s\n", q.Kind, q.Model, q.Serial, q.Site)
	case *was == q:
		fmt.Fprintf(e.stdout, "equipment %s %s %s is already registered to site %s: nothing changed\n", q.Kind, q.Model, q.Serial, q.Site)
	default:
		if was.Site != q.Site {
			fmt.Fprintf(e.stdout, "equipment %s moved from site %s to %s: results at %s that use it are refused from now on\n", q.Serial, was.Site, q.Site, was.Site)
		}
		if was.Kind != q.Kind {
			fmt.Fprintf(e.stdout, "equipment %s's kind changed from %s to %s\n", q.Serial, was.Kind, q.Kind)
		}
		if was.Model != q.Model {
			fmt.Fprintf(e.stdout, "equipment %s's model changed from %s to %s\n", q.Serial, was.Model, q.Model)
		}
	}
}

func centreEquipmentRemoveCmd() *Command {
	c := &Command{
		UsageLine: "centre equipment remove --serial SERIAL",
		Short:     "a device sold, broken or moved to a training institution",
		Long:      "Examples:\n  shicao centre equipment remove --serial CPR-2024-0001\n",
	}
	data := addCentreData(&c.Flag)
	serial := c.Flag.String("serial", "", "the device's serial number")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *serial == "" {
			return usagef("centre equipment remove: give --serial")
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := ce.RemoveEquipment(ctx, *serial); err != nil {
				if errors.Is(err, centre.ErrNotFound) {
					return fmt.Errorf("no device with serial %s is registered", *serial)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "equipment %s removed: results that used it are refused from now on\n", *serial)
			return nil
		})
	}
	return c
}

func centreEquipmentListCmd() *Command {
	c := &Command{
		UsageLine: "centre equipment list [--site SITE]",
		Short:     "the registered devices",
		Long:      "Examples:\n  shicao centre equipment list --site TA-KD-01\n",
	}
	data := addCentreData(&c.Flag)
	site := c.Flag.String("site", "", "only the devices of this site")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := knownSite(ctx, ce, *site); err != nil {
				return err
			}
			list, err := ce.Equipment(ctx, *site)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no equipment is registered there (register a device: shicao centre equipment add)")
				return nil
			}
			t := &table{}
			t.add("site", "kind", "serial", "model")
			for _, q := range list {
				t.add(q.Site, q.Kind, q.Serial, q.Model)
			}
			return t.write(e.stdout)
		})
	}
	return c
}
