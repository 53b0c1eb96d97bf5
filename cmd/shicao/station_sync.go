package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// stationSync is one sync round with the centre: upload the outbox, check
// that the centre's log extends the checkpoint the station holds, pull
// standards, plans and the registry; print what changed.
func stationSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station sync", "station sync --data DIR --centre URL [--ca FILE] [--since N]",
		"  shicao station sync --data /var/lib/shicao --centre https://centre.example:8443 --ca centre-ca.pem\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	url := fs.String("centre", "", "the centre's URL (default: the one used last)")
	caFile := fs.String("ca", "", "a CA certificate (PEM) to trust for the centre's TLS, besides the system's")
	since := fs.Int64("since", -1, "pull standards published after this number (default: where the last pull stopped)")
	timeout := fs.Duration("timeout", 60*time.Second, "the time allowed for one request")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	st := s.Store()
	if *url == "" {
		if *url, err = st.Meta(ctx, "centre_url"); err != nil {
			return usagef("station sync: give --centre URL")
		}
	}
	centreKey, err := st.Meta(ctx, "centre_key")
	if err != nil {
		return fmt.Errorf("the exam centre's key is not pinned: run shicao station centre set KEY.pub")
	}
	key, err := os.ReadFile(filepath.Join(*data, station.KeyFile))
	if err != nil {
		return err
	}
	// The CA is remembered with the URL: a later plain `station sync`
	// must reach the same centre the same way.
	if *caFile == "" {
		*caFile, _ = st.Meta(ctx, "centre_ca")
	}
	hc, err := CentreConfig{CA: *caFile}.HTTPClient()
	if err != nil {
		return err
	}
	if *caFile != "" {
		if *caFile, err = filepath.Abs(*caFile); err != nil {
			return err
		}
	}
	hc.Timeout = *timeout
	client, err := examsync.NewClient(*url, s.Name(), string(key), hc)
	if err != nil {
		return err
	}
	if err := st.SetMeta(ctx, "centre_url", *url); err != nil {
		return err
	}
	if err := st.SetMeta(ctx, "centre_ca", *caFile); err != nil {
		return err
	}
	changed := 0
	untrusted := false // the centre's TLS certificate: say what to do once
	defer func() {
		if untrusted {
			fmt.Fprintln(e.stderr, "hint: this station does not trust the centre's TLS certificate: give the CA that signed it with --ca FILE.pem (it is remembered)")
		}
	}()

	// Up: the outbox, every queued row now (a person asked for it).
	up := &examsync.Uploader{Outbox: st.SyncOutbox(), Client: client, CentreKey: centreKey, Eager: true}
	rep, err := up.Round(ctx)
	for _, x := range rep.Sent {
		fmt.Fprintf(e.stdout, "sent %s: receipt verified, log index %d of %d\n", x.ResultID, x.Index, x.Checkpoint.Size)
		changed++
	}
	for _, x := range rep.Retrying {
		fmt.Fprintf(e.stdout, "not sent %s (will retry): %s\n", x.ResultID, x.Reason)
		untrusted = untrusted || strings.Contains(x.Reason, "x509: certificate signed by unknown authority")
	}
	for _, x := range rep.Parked {
		fmt.Fprintf(e.stdout, "refused %s (parked for a person to look at): %s\n", x.ResultID, x.Reason)
		changed++
	}
	if err != nil {
		return fmt.Errorf("upload: %w", err)
	}

	// The log: the newest checkpoint must extend the one held.
	latest := rep.Latest()
	if latest == nil {
		b, err := client.Checkpoint(ctx)
		if err != nil {
			untrusted = untrusted || strings.Contains(err.Error(), "x509: certificate signed by unknown authority")
			return fmt.Errorf("checkpoint: %w", err)
		}
		if latest, err = examsync.OpenCheckpoint(b, centreKey); err != nil {
			return err
		}
	}
	var held []byte
	if h, err := st.Meta(ctx, "centre_checkpoint"); err == nil {
		held = []byte(h)
	}
	keep, err := client.CheckLog(ctx, centreKey, held, latest)
	if err != nil {
		_ = st.Alarm(ctx, "centre-log", *url, err.Error())
		return fmt.Errorf("the centre's log: %w", err)
	}
	if err := st.SetMeta(ctx, "centre_checkpoint", string(keep.Signed)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "centre log: %d records, consistent with the checkpoint held\n", keep.Size)

	// Down: standards, plans, registry, through the station's own rules.
	if *since < 0 {
		*since = 0
		if v, err := st.Meta(ctx, "standards_cursor"); err == nil {
			*since, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	pull, err := examsync.Pull(ctx, client, centreKey, s, heldState{st}, *since)
	for _, x := range pull.Installed {
		fmt.Fprintf(e.stdout, "installed %s\n", x)
		changed++
	}
	for _, x := range pull.Refused {
		fmt.Fprintf(e.stdout, "refused standard %s\n", x)
	}
	for _, x := range pull.Plans {
		fmt.Fprintf(e.stdout, "plan %s received\n", x)
		changed++
	}
	if pull.Registry != 0 {
		fmt.Fprintf(e.stdout, "registry version %d installed\n", pull.Registry)
		changed++
	}
	if serr := st.SetMeta(ctx, "standards_cursor", strconv.FormatInt(pull.Next, 10)); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	if changed == 0 {
		fmt.Fprintln(e.stdout, "nothing changed")
	}
	queued, err := st.Outbox(ctx, store.OutboxQueued)
	if err != nil {
		return err
	}
	if len(queued) > 0 {
		return fmt.Errorf("%d results still queued for the centre: run shicao station sync again later", len(queued))
	}
	return nil
}

// heldState tells the pull what the station holds already.
type heldState struct{ st *store.Store }

func (h heldState) PlanSigned(ctx context.Context, id string) ([]byte, error) {
	p, err := h.st.PlanByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p.Signed, err
}

func (h heldState) RegistryVersion(ctx context.Context) (int64, error) {
	v, err := h.st.Meta(ctx, "registry_version")
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
}
