package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	neturl "net/url"
	"path/filepath"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/station"
)

// stationSyncCmd is one sync round with the centre (station.Sync): upload
// the outbox, check the centre's log, pull standards, plans and the
// registry; print what changed. It exits 1 when something is left for a
// later round or a person: results still queued, results the centre
// refused in this round (parked), plans the station refused, or any
// failure of the round itself.
func stationSyncCmd() *Command {
	c := &Command{UsageLine: "station sync --centre URL [--ca FILE] [--since N]",
		Short: "one round with the centre: upload the outbox, pull updates",
		Long:  "Examples:\n  shicao station sync --data /var/lib/shicao --centre https://centre.example:8443 --ca centre-ca.pem\n"}
	data := addStationData(&c.Flag)
	url := c.Flag.String("centre", "", "the centre's URL (default: the one used last)")
	caFile := c.Flag.String("ca", "", "a CA certificate (PEM) to trust for the centre's TLS, besides the system's")
	since := c.Flag.Int64("since", -1, "pull standards published after this number (default: where the last pull stopped)")
	timeout := c.Flag.Duration("timeout", 60*time.Second, "the time allowed for one request")
	restored := c.Flag.Bool("centre-restored", false, "the centre was restored from a backup and lost results (its operator says so): send every result again and start from its log as it is now")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			link, err := s.Store().CentreLink(ctx)
			if err != nil {
				return err
			}
			switch {
			case *url != "":
				if err := checkCentreURL(*url); err != nil {
					return usagef("station sync: --centre %s", err)
				}
			case link.URL == "":
				return usagef("station sync: give --centre URL (no centre has answered this station yet)")
			default:
				// Earlier versions remembered the URL before the centre
				// answered, so a mistyped one may be held.
				if err := checkCentreURL(link.URL); err != nil {
					return usagef("station sync: the remembered centre URL %s: give the right one with --centre URL", err)
				}
				*url = link.URL
			}
			// The CA is remembered with the URL: a later plain `station
			// sync` must reach the same centre the same way.
			if *caFile == "" {
				*caFile = link.CA
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
			client, err := s.Client(*url, hc)
			if err != nil {
				return err
			}
			rep, err := s.Sync(ctx, client, station.SyncOptions{CA: *caFile, Since: *since, CentreRestored: *restored})
			printSync(e, rep, err)
			if untrusted(rep, err) {
				fmt.Fprintln(e.stderr, "hint: this station does not trust the centre's TLS certificate: give the CA that signed it with --ca FILE.pem (it is remembered)")
			}
			if err != nil {
				return err
			}
			return syncLeft(rep)
		})
	}
	return c
}

// printSync says what a round did, step by step, as far as it got.
func printSync(e *env, rep *station.SyncReport, err error) {
	if rep.Restored {
		fmt.Fprintf(e.stdout, "the centre was restored from a backup: %s it acknowledged before %s sent again (the old receipts are kept)\n", count(rep.Resent, "result"), plural(rep.Resent, "is", "are"))
	}
	if up := rep.Upload; up != nil {
		for _, x := range up.Sent {
			fmt.Fprintf(e.stdout, "sent %s: receipt verified, log index %d of %d\n", x.ResultID, x.Index, x.Checkpoint.Size)
		}
		for _, x := range up.Retrying {
			fmt.Fprintf(e.stdout, "not sent %s (will retry): %s\n", x.ResultID, x.Reason)
		}
		for _, x := range up.Parked {
			fmt.Fprintf(e.stdout, "refused %s (parked for a person to look at): %s\n", x.ResultID, x.Reason)
		}
		if up.Unanswered > 0 {
			// Said once for the round: the uploader stopped at the first
			// upload that got no answer instead of waiting out the
			// timeout once per queued result.
			fmt.Fprintf(e.stdout, "the centre did not answer: %s %s queued\n", count(up.Unanswered, "result"), plural(up.Unanswered, "stays", "stay"))
		}
	}
	if rep.Log != nil {
		fmt.Fprintf(e.stdout, "centre log: %d records, consistent with the checkpoint held\n", rep.Log.Size)
	}
	if rep.ClockMeasured {
		fmt.Fprintf(e.stdout, "clock offset from the centre: %d ms\n", rep.ClockOffset.Milliseconds())
	}
	if p := rep.Pull; p != nil {
		if p.Vocabulary != 0 {
			fmt.Fprintf(e.stdout, "installed vocabulary version %d\n", p.Vocabulary)
		}
		if p.RefusedVocabulary != "" {
			fmt.Fprintf(e.stdout, "refused vocabulary: %s\n", p.RefusedVocabulary)
		}
		for _, x := range p.Installed {
			fmt.Fprintf(e.stdout, "installed %s\n", x)
		}
		for _, x := range p.Refused {
			fmt.Fprintf(e.stdout, "refused standard %s\n", x)
		}
		for _, x := range p.RefusedPlans {
			fmt.Fprintf(e.stdout, "refused plan %s\n", x)
		}
		for _, x := range p.Plans {
			fmt.Fprintf(e.stdout, "plan %s received\n", x)
		}
		if p.Registry != 0 {
			fmt.Fprintf(e.stdout, "registry version %d installed\n", p.Registry)
		}
	}
	printDrillSync(e, rep.Drills)
	if err == nil && rep.Changed() == 0 {
		fmt.Fprintln(e.stdout, "nothing changed")
	}
}

// untrusted tells whether the round failed on the centre's TLS
// certificate, signed by an authority the station does not trust.
func untrusted(rep *station.SyncReport, err error) bool {
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return true
	}
	if rep.Upload != nil {
		for _, x := range rep.Upload.Retrying {
			if errors.As(x.Err, &ua) {
				return true
			}
		}
	}
	return false
}

// syncLeft is exit 1 for what a script must not take for success; each
// cause in one sentence with what to do. Refused standards are not among
// them: the station kept what it had, and the next pull does not bring
// them again.
func syncLeft(rep *station.SyncReport) error {
	var left []string
	if n := len(rep.Upload.Parked); n > 0 {
		left = append(left, fmt.Sprintf("the centre refused %s in this round (parked): shicao station results list shows why; once the cause is fixed, shicao station results requeue --parked", count(n, "result")))
	}
	if n := len(rep.Pull.RefusedPlans); n > 0 {
		it := plural(n, "it", "them")
		left = append(left, fmt.Sprintf("this station refused %s from the centre (the refused plan lines above say why): the centre must correct %s and send %s again", count(n, "exam plan"), it, it))
	}
	if n := rep.Queued; n > 0 {
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

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
