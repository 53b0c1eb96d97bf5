package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The vocabulary documents (new device kinds and event types) the centre
// publishes to its stations, as it publishes standards.

func centreVocabularyCmd() *Command {
	return &Command{
		UsageLine: "centre vocabulary",
		Short:     "the signed vocabulary of device kinds and event types the centre publishes",
		Commands:  []*Command{centreVocabularyPublishCmd(), centreVocabularyShowCmd()},
	}
}

func centreVocabularyPublishCmd() *Command {
	c := &Command{
		UsageLine: "centre vocabulary publish FILE",
		Short:     "publish a province-signed vocabulary document (a later version that only adds)",
		Long: "Stations pull the newest published document on their next sync and install it before\n" +
			"the standards that use its event types.\n\n" +
			"Examples:\n  shicao centre vocabulary publish --data /var/lib/shicao/centre vocabulary-2.signed\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("centre vocabulary publish: give one signed FILE")
		}
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			doc, err := ce.PublishVocabulary(ctx, b)
			if errors.Is(err, standards.ErrInstalled) {
				fmt.Fprintf(e.stdout, "%s: vocabulary version %d published already, unchanged\n", args[0], doc.Version)
				return nil
			}
			if err != nil {
				return fmt.Errorf("refused %s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "published vocabulary version %d; stations install it on their next sync\n", doc.Version)
			return nil
		})
	}
	return c
}

func centreVocabularyShowCmd() *Command {
	c := &Command{
		UsageLine: "centre vocabulary show",
		Short:     "the vocabulary the centre publishes: version and device kinds",
		Long:      "Examples:\n  shicao centre vocabulary show --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			v, err := ce.Vocabulary(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "vocabulary version %d: %d device kinds, %d event types\n", v.Version(), len(v.Devices), len(v.Types))
			for _, k := range v.DeviceKinds() {
				fmt.Fprintf(e.stdout, "  %s %s\n", k, v.Devices[k])
			}
			return nil
		})
	}
	return c
}
