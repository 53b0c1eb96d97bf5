package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The province keys the centre trusts, and the standards it publishes
// signed by them.

func centreTrustCmd() *Command {
	return &Command{
		UsageLine: "centre trust",
		Short:     "the province verifier keys that sign standards, and how many must sign",
		Commands:  []*Command{centreTrustAddCmd(), centreTrustRemoveCmd(), centreTrustListCmd()},
	}
}

func centreTrustAddCmd() *Command {
	c := &Command{
		UsageLine: "centre trust add [--threshold N] KEY.pub...",
		Short:     "pin province verifier keys (a centre made without --province, a new key)",
		Long: "Examples:\n  shicao centre trust add --data /var/lib/shicao/centre shandong-2026.pub\n" +
			"  shicao centre trust add --threshold 2 shandong-2026.pub shandong-2027.pub\n",
	}
	data := addCentreData(&c.Flag)
	threshold := c.Flag.Int("threshold", 0, "how many distinct pinned keys must sign a standard (default: keep, 1 at first)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("centre trust add: give the province's verifier key files (KEY.pub)")
		}
		if *threshold < 0 {
			return usagef("centre trust add: --threshold %d: give 1 or more", *threshold)
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			keys, err := readProvinceKeys(ctx, ce, args)
			if err != nil {
				return err
			}
			added, err := ce.PinProvinceKeys(ctx, keys, *threshold)
			if err != nil {
				return err
			}
			for i, k := range keys {
				if added[i] {
					fmt.Fprintf(e.stdout, "pinned province key %s\n", centre.ShortKey(k))
				} else {
					fmt.Fprintf(e.stdout, "province key %s was pinned already\n", centre.ShortKey(k))
				}
			}
			return printThreshold(ctx, e, ce)
		})
	}
	return c
}

// readProvinceKeys reads province verifier key files and checks each, so
// that a refusal names its file and nothing is pinned.
func readProvinceKeys(ctx context.Context, c *centre.Centre, files []string) ([]string, error) {
	keys := make([]string, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		key := strings.TrimSpace(string(b))
		if err := c.CheckProvinceKey(ctx, key); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

func printThreshold(ctx context.Context, e *env, c *centre.Centre) error {
	roots, err := c.TrustRoots(ctx)
	if err != nil {
		return err
	}
	n, err := c.Threshold(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "a standard is published when it is signed by %d of the %d pinned province keys\n", n, len(roots))
	return nil
}

func centreTrustRemoveCmd() *Command {
	c := &Command{
		UsageLine: "centre trust remove KEY.pub",
		Short:     "retire a province key at the end of a rotation",
		Long:      "Examples:\n  shicao centre trust remove --data /var/lib/shicao/centre shandong-2026.pub\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("centre trust remove: give the retired province key's KEY.pub")
		}
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := ce.UnpinProvinceKey(ctx, string(b)); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "retired province key %s: standards signed only by it are refused from now on; those published stay\n", centre.ShortKey(strings.TrimSpace(string(b))))
			return printThreshold(ctx, e, ce)
		})
	}
	return c
}

func centreTrustListCmd() *Command {
	c := &Command{
		UsageLine: "centre trust list",
		Short:     "the pinned province keys and the threshold",
		Long:      "Examples:\n  shicao centre trust list --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			roots, err := ce.TrustRoots(ctx)
			if err != nil {
				return err
			}
			if len(roots) == 0 {
				fmt.Fprintf(e.stdout, "no province key is pinned: this centre publishes no standard until you pin one (shicao centre trust add --data %s KEY.pub)\n", data.dir)
				return nil
			}
			// The whole key, so that it can be compared with the one the
			// province published.
			t := &table{}
			t.add("name", "key", "pinned")
			for _, r := range roots {
				t.add(r.Name, r.Key, time.UnixMilli(r.AddedMs).Format(time.DateTime))
			}
			if err := t.write(e.stdout); err != nil {
				return err
			}
			return printThreshold(ctx, e, ce)
		})
	}
	return c
}

func centreStandardCmd() *Command {
	return &Command{
		UsageLine: "centre standard",
		Short:     "the scoring standards the centre publishes to its stations",
		Commands:  []*Command{centreStandardPublishCmd()},
	}
}

func centreStandardPublishCmd() *Command {
	c := &Command{
		UsageLine: "centre standard publish FILE...",
		Short:     "publish province-signed, lint-clean standards and blueprints (only those)",
		Long:      "Examples:\n  shicao centre standard publish sd-dg-k42.signed\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("centre standard publish: give at least one signed FILE")
		}
		return data.with(ctx, func(ce *centre.Centre) error { return publishStandards(ctx, e, ce, data.dir, args) })
	}
	return c
}

// publishStandards publishes each file, saying for each what became of
// it; one refused makes the command fail after the others are tried.
func publishStandards(ctx context.Context, e *env, ce *centre.Centre, dir string, files []string) error {
	roots, err := ce.TrustRoots(ctx)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		return fmt.Errorf("no province key is pinned at this centre, so it publishes no standard: pin the province's verifier key first (shicao centre trust add --data %s KEY.pub)", dir)
	}
	failed := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		cand, err := ce.Publish(ctx, f, b)
		if errors.Is(err, standards.ErrInstalled) {
			// The very text published before: nothing to do, nothing wrong.
			fmt.Fprintf(e.stdout, "%s: published already, unchanged\n", f)
			continue
		}
		if err != nil {
			// Admit names the file already.
			fmt.Fprintf(e.stderr, "refused %s: %s\n", f, strings.TrimPrefix(atCentre(err, dir).Error(), f+": "))
			failed++
			continue
		}
		fmt.Fprintf(e.stdout, "published %s version %d (%s) signed by %s\n", cand.ID, cand.Version, cand.SHA256[:16], strings.Join(cand.Signers, ", "))
	}
	if failed > 0 {
		return silentError{fmt.Errorf("%d refused", failed)}
	}
	return nil
}

// atCentre adds to an untrusted-key refusal (which names the centre as
// the holder) how a new province key is pinned here.
func atCentre(err error, data string) error {
	var uk *standards.UntrustedKeyError
	if !errors.As(err, &uk) {
		return err
	}
	return reworded{fmt.Sprintf("%s; if the province has a new key, pin it once you have it from the province: shicao centre trust add --data %s KEY.pub", err, data), err}
}
