package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"shicao/cmd/shicao/internal/station"
)

// Training mode (考培分离): a station at a training institution's site
// runs in training mode; its results are signed as training results,
// which the centre never takes as exam results. These commands show the
// mode and export a trainee's progress for the institution.

func stationTrainingCmd() *Command {
	return &Command{
		UsageLine: "station training",
		Short:     "training mode (考培分离): its state, and the trainees' attempts for the institution",
		Commands:  []*Command{stationTrainingStatusCmd(), stationTrainingExportCmd()},
	}
}

func stationTrainingStatusCmd() *Command {
	c := &Command{
		UsageLine: "station training status [--data DIR]",
		Short:     "say whether the station runs in training mode, and why",
		Long:      "Examples:\n  shicao station training status --data /var/lib/shicao/station\n",
	}
	data := addStationData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("station training status: unexpected argument %q", args[0])
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			switch {
			case s.TrainingSite():
				fmt.Fprintf(e.stdout, "training mode: site %s is a training institution's site (the centre's registry says so); its results are training results, never exam results\n", s.Site())
			default:
				fmt.Fprintf(e.stdout, "exam mode: site %s is an accepted exam site; training mode is asked for per run, and refused on an exam day\n", s.Site())
			}
			return nil
		})
	}
	return c
}

func stationTrainingExportCmd() *Command {
	c := &Command{
		UsageLine: "station training export [--data DIR] [-o FILE.csv]",
		Short:     "export the training results: each trainee's attempts in order (CSV)",
		Long: "One row per training result: the trainee (身份证号 masked), the attempt's number among theirs,\n" +
			"the date, the total, pass, each subject's score. Exam results are not listed.\n\n" +
			"Examples:\n  shicao station training export --data /var/lib/shicao/station -o 培训成绩.csv\n",
	}
	data := addStationData(&c.Flag)
	out := c.Flag.String("o", "", "write to this file; default: standard output")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("station training export: unexpected argument %q", args[0])
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			attempts, err := s.TrainingAttempts(ctx)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := station.WriteTrainingCSV(&buf, attempts, time.Local); err != nil {
				return err
			}
			if *out == "" {
				_, err := e.stdout.Write(buf.Bytes())
				return err
			}
			if err := writeFileReplacing(*out, buf.Bytes()); err != nil {
				return fmt.Errorf("write %s: %w", *out, err)
			}
			trainees := map[string]bool{}
			for _, a := range attempts {
				trainees[a.IDNumber] = true
			}
			fmt.Fprintf(e.stderr, "%d training result(s) of %d trainee(s) written to %s\n", len(attempts), len(trainees), *out)
			return nil
		})
	}
	return c
}

// writeFileReplacing writes data to path through a temporary file in the
// same directory, so that a failure never leaves half a file.
func writeFileReplacing(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
