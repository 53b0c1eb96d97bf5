package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

func stationInterruptedCmd() *Command {
	c := &Command{UsageLine: "station interrupted", Short: "items left running by a crash",
		Long: "Examples:\n  shicao station interrupted --data /var/lib/shicao/station\n"}
	data := addStationData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			list, err := s.Interrupted(ctx)
			if err != nil {
				return err
			}
			for _, in := range list {
				fmt.Fprintf(e.stdout, "attempt %s candidate %s subject %s %s: %d events, last at %s (%s)\n", in.Session.AttemptID, in.Session.Candidate, in.Session.Subject, in.Session.Standard,
					in.Events, time.Duration(in.LastT)*time.Millisecond, in.LastWall.Format(time.DateTime))
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no interrupted items")
			}
			return nil
		})
	}
	return c
}

func stationResultsCmd() *Command {
	list := &Command{UsageLine: "station results list", Short: "the signed results and their sync state",
		Long: "Examples:\n  shicao station results list --data /var/lib/shicao/station\n"}
	data := addStationData(&list.Flag)
	list.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, station.Config{}, func(s *station.Station) error { return listResults(ctx, e, s.Store()) })
	}
	return &Command{UsageLine: "station results", Short: "the signed results and their sync state",
		Commands: []*Command{list, stationRequeueCmd()}}
}

func listResults(ctx context.Context, e *env, st *store.Store) error {
	results, err := st.Results(ctx)
	if err != nil {
		return err
	}
	outbox, err := st.Outbox(ctx, "")
	if err != nil {
		return err
	}
	state := map[string]store.OutboxRow{}
	for _, o := range outbox {
		state[o.ResultID] = o
	}
	t := &table{right: map[int]bool{2: true}}
	t.add("result", "candidate", "total", "pass", "sync", "note")
	for _, r := range results {
		pass := "FAIL"
		if r.Passed {
			pass = "PASS"
		}
		o := state[r.ID]
		// "sent" is written only once the centre's receipt verified:
		// say so, with the log index, so that no one reads "sent" as
		// "uploaded, perhaps received".
		sync := o.State
		if o.State == store.OutboxSent {
			if _, idx, err := st.Receipt(ctx, r.ID); err == nil {
				sync = fmt.Sprintf("sent, receipt verified #%d", idx)
			}
		}
		t.add(r.ID, r.Candidate, r.Total, pass, sync, o.LastError)
	}
	return t.write(e.stdout)
}

// stationRequeueCmd puts results the centre refused for good back on the
// queue: a refusal is kept with its reason until a person fixed the cause
// (the centre imported the plan, registered the device...), and only a
// person says when that is.
func stationRequeueCmd() *Command {
	c := &Command{UsageLine: "station results requeue RESULT... | --parked",
		Short: "send results the centre refused again, once the cause is fixed",
		Long:  "Examples:\n  shicao station results requeue 3f2a9c01d4e5b6a7\n  shicao station results requeue --parked\n"}
	data := addStationData(&c.Flag)
	parked := c.Flag.Bool("parked", false, "every result the centre refused")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *parked == (len(args) > 0) {
			return usagef("station results requeue: give RESULT ids or --parked")
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			ids := args
			if *parked {
				rows, err := s.Store().Outbox(ctx, store.OutboxParked)
				if err != nil {
					return err
				}
				for _, o := range rows {
					ids = append(ids, o.ResultID)
				}
			}
			for _, id := range ids {
				if err := s.Store().Requeue(ctx, id); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("result %s is not refused by the centre here (see 'station results list')", id)
					}
					return err
				}
				fmt.Fprintf(e.stdout, "requeued %s: sent at the next sync\n", id)
			}
			if len(ids) == 0 {
				fmt.Fprintln(e.stdout, "no result is refused by the centre")
			}
			return nil
		})
	}
	return c
}

func stationExportCmd() *Command {
	c := &Command{UsageLine: "station export RESULT -o OUT.json [--events SUBJECT=OUT.jsonl]",
		Short: "write a result's bundle (and a subject's events) to files",
		Long:  "Examples:\n  shicao station export 3f2a9c01d4e5b6a7 -o result.json --events K4=k4.jsonl\n"}
	data := addStationData(&c.Flag)
	out := c.Flag.String("o", "", "write the result bundle (signed result, events, standards) here")
	var events listFlag
	c.Flag.Var(&events, "events", "also write one subject's events as JSON Lines with their chain hashes and the signed result (docs/exported-logs.md): SUBJECT=FILE")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 || *out == "" {
			return usagef("station export: give RESULT and -o OUT.json")
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			body, err := s.Store().OutboxBody(ctx, args[0])
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no result %s at this station (see 'station results list')", args[0])
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(*out, body, 0o600); err != nil {
				return err
			}
			for _, spec := range events {
				subject, file, ok := strings.Cut(spec, "=")
				if !ok {
					return usagef("station export: --events takes SUBJECT=FILE")
				}
				if err := writeSubjectEvents(body, subject, file); err != nil {
					return err
				}
			}
			fmt.Fprintf(e.stdout, "wrote %s\n", *out)
			return nil
		})
	}
	return c
}

func stationBackupCmd() *Command {
	c := &Command{UsageLine: "station backup -o FILE", Short: "a consistent copy of the database, safe mid-exam",
		Long: "Examples:\n  shicao station backup --data /var/lib/shicao -o /mnt/usb/station-$(date +%F).db\n"}
	data := addStationData(&c.Flag)
	out := c.Flag.String("o", "", "the backup file to write (must not exist)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *out == "" {
			return usagef("station backup: give -o FILE")
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s exists: refusing to overwrite a backup", *out)
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			if err := s.Store().Backup(ctx, *out); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "backed up %s to %s (keys are not in it: keep station.key apart)\n", filepath.Join(data.dir, station.DBFile), *out)
			return nil
		})
	}
	return c
}
