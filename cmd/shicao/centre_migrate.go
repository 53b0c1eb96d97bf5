package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"shicao/cmd/shicao/internal/centre"
)

// centreMigrateCmd moves a SQLite centre into PostgreSQL (docs/operations.md,
// "Moving a SQLite centre to PostgreSQL").
func centreMigrateCmd() *Command {
	c := &Command{
		UsageLine: "centre migrate --to postgres://… [--from DIR/centre.db]",
		Short:     "move a SQLite centre into an empty PostgreSQL database, verify the log on both sides, and record the URL",
		Long: "Stop `centre serve` first. Every table is copied in one transaction; log verify then runs on\n" +
			"both sides with the centre's key (same records, checkpoints and root). The URL is then kept in\n" +
			"DIR/centre.dsn (0600), so every later command over DIR opens PostgreSQL; centre.db stays as it was.\n\n" +
			"Examples:\n  shicao centre migrate --data /var/lib/shicao/centre --to postgres://shicao@db.example/shicao_centre\n",
	}
	data := addCentreData(&c.Flag)
	from := c.Flag.String("from", "", "the SQLite database to move (default: DIR/centre.db)")
	to := c.Flag.String("to", "", "the PostgreSQL database to move it into (empty)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *to == "" || len(args) > 0 {
			return usagef("centre migrate: give --to postgres://… (see 'shicao centre migrate --help')")
		}
		src := *from
		if src == "" {
			src = filepath.Join(data.dir, centre.DBFile)
		}
		key, err := os.ReadFile(filepath.Join(data.dir, centre.KeyFile))
		if err != nil {
			return fmt.Errorf("centre migrate: the centre's key: %w", err)
		}
		rep, err := centre.Move(ctx, src, *to, string(key))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(data.dir, centre.DSNFile), []byte(*to+"\n"), 0o600); err != nil {
			return fmt.Errorf("centre migrate: moved, but the URL is not recorded: %w (write it to %s)", err, filepath.Join(data.dir, centre.DSNFile))
		}
		fmt.Fprintln(e.stdout, rep.Summary())
		fmt.Fprintf(e.stdout, "recorded in %s: every command over %s now opens PostgreSQL; %s is kept as it was\n", filepath.Join(data.dir, centre.DSNFile), data.dir, src)
		return nil
	}
	return c
}
