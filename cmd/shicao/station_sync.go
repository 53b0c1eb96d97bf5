package main

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
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
// standards, plans and the registry; print what changed. It exits 1 when
// something is left for a later round or a person: results still queued,
// results the centre refused in this round (parked), plans the station
// refused, or any failure of the round itself.
func stationSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station sync", "station sync --data DIR --centre URL [--ca FILE] [--since N]",
		"  shicao station sync --data /var/lib/shicao --centre https://centre.example:8443 --ca centre-ca.pem\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	url := fs.String("centre", "", "the centre's URL (default: the one used last)")
	caFile := fs.String("ca", "", "a CA certificate (PEM) to trust for the centre's TLS, besides the system's")
	since := fs.Int64("since", -1, "pull standards published after this number (default: where the last pull stopped)")
	timeout := fs.Duration("timeout", 60*time.Second, "the time allowed for one request")
	restored := fs.Bool("centre-restored", false, "the centre was restored from a backup and lost results (its operator says so): send every result again and start from its log as it is now")
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
			return usagef("station sync: give --centre URL (no centre has answered this station yet)")
		}
		// Earlier versions remembered the URL before the centre answered,
		// so a mistyped one may be held.
		if err := checkCentreURL(*url); err != nil {
			return usagef("station sync: the remembered centre URL %s: give the right one with --centre URL", err)
		}
	} else if err := checkCentreURL(*url); err != nil {
		return usagef("station sync: --centre %s", err)
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
	// The URL and CA are remembered only once the centre has answered
	// with something its key signed: a mistyped URL must not replace the
	// one that works.
	remember := func() error {
		if err := st.SetMeta(ctx, "centre_url", *url); err != nil {
			return err
		}
		return st.SetMeta(ctx, "centre_ca", *caFile)
	}
	changed := 0
	untrusted := false // the centre's TLS certificate: say what to do once
	defer func() {
		if untrusted {
			fmt.Fprintln(e.stderr, "hint: this station does not trust the centre's TLS certificate: give the CA that signed it with --ca FILE.pem (it is remembered)")
		}
	}()

	if *restored {
		// A centre restored from a backup forgot what came after it: its
		// log no longer extends the checkpoint held, and every sync would
		// stop there. A person who knows this sends everything again (the
		// centre answers what it still holds with the same receipt and
		// logs what it lost anew), and the station starts over from the
		// centre's log as it is. The old checkpoint and receipts are kept
		// as evidence.
		held, _ := st.Meta(ctx, "centre_checkpoint")
		n, err := st.ResendAll(ctx)
		if err != nil {
			return err
		}
		if err := st.Alarm(ctx, "centre-restored", *url, fmt.Sprintf("a person said the centre was restored from a backup; %d results are sent again; the checkpoint held before:\n%s", n, held)); err != nil {
			return err
		}
		if err := st.SetMeta(ctx, "centre_checkpoint", ""); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the centre was restored from a backup: %s it acknowledged before %s sent again (the old receipts are kept)\n", count(n, "result"), map[bool]string{true: "is", false: "are"}[n == 1])
	}

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
	if rep.Unanswered > 0 {
		// Said once for the round: the uploader stopped at the first
		// upload that got no answer instead of waiting out the timeout
		// once per queued result.
		verb := "stay"
		if rep.Unanswered == 1 {
			verb = "stays"
		}
		fmt.Fprintf(e.stdout, "the centre did not answer: %s %s queued\n", count(rep.Unanswered, "result"), verb)
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
	if err := remember(); err != nil {
		return err
	}
	var held []byte
	if h, err := st.Meta(ctx, "centre_checkpoint"); err == nil && h != "" {
		held = []byte(h)
	}
	keep, err := client.CheckLog(ctx, centreKey, held, latest)
	if err != nil {
		_ = st.Alarm(ctx, "centre-log", *url, err.Error())
		return fmt.Errorf("the centre's log: %w; the centre lost or rewrote results this station holds receipts for: tell its operator; if it was restored from a backup, run shicao station sync --centre-restored once", err)
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
	// The clock offset from the centre, for the readiness gate.
	if off, at, ok := client.ClockOffset(); ok {
		if cerr := s.RecordClockOffset(ctx, off, at); cerr != nil && err == nil {
			err = cerr
		}
		fmt.Fprintf(e.stdout, "clock offset from the centre: %d ms\n", off.Milliseconds())
	}
	for _, x := range pull.Installed {
		fmt.Fprintf(e.stdout, "installed %s\n", x)
		changed++
	}
	for _, x := range pull.Refused {
		fmt.Fprintf(e.stdout, "refused standard %s\n", x)
	}
	for _, x := range pull.RefusedPlans {
		fmt.Fprintf(e.stdout, "refused plan %s\n", x)
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
	// Exit 1 for what a script must not take for success; each cause in
	// one sentence with what to do. Refused standards are not among them:
	// the station kept what it had, and the next pull does not bring them
	// again.
	var left []string
	if n := len(rep.Parked); n > 0 {
		left = append(left, fmt.Sprintf("the centre refused %s in this round (parked): shicao station results list shows why; once the cause is fixed, shicao station results requeue --parked", count(n, "result")))
	}
	if n := len(pull.RefusedPlans); n > 0 {
		it := "it"
		if n > 1 {
			it = "them"
		}
		left = append(left, fmt.Sprintf("this station refused %s from the centre (the refused plan lines above say why): the centre must correct %s and send %s again", count(n, "exam plan"), it, it))
	}
	if n := len(queued); n > 0 {
		left = append(left, fmt.Sprintf("%s still queued for the centre: run shicao station sync again later", count(n, "result")))
	}
	if len(left) > 0 {
		return errors.New(strings.Join(left, "; "))
	}
	return nil
}

// count says "1 result" or "N results".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// checkCentreURL refuses what is not a centre's base URL (http or https,
// a host), saying what one looks like. A bare host:port is the common
// slip: Go's own error for it ("first path segment in URL cannot contain
// colon") says nothing to an operator.
func checkCentreURL(s string) error {
	u, err := neturl.Parse(s)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil && u.RawQuery == "" && u.Fragment == "" {
		return nil
	}
	msg := fmt.Sprintf("%q is not a centre URL: give http:// or https://, the host and the port, e.g. https://centre.example:8443", s)
	if !strings.Contains(s, "://") && s != "" {
		msg += fmt.Sprintf(" (for this one: https://%s, or http://%s if the centre serves without TLS)", s, s)
	}
	return errors.New(msg)
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
