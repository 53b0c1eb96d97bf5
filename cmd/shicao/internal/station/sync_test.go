package station_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// syncRig is a demo station with a result to send and the real centre
// serving on loopback.
func syncRig(t *testing.T) (*centretest.Station, *station.Saved, *httptest.Server) {
	t.Helper()
	st := centretest.NewStation(t, "")
	c := centretest.NewCentre(t, st)
	srv := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(srv.Close)
	saved := st.Exam(t, demo.Candidates[0].IDNumber, "sync", 0)
	return st, saved, srv
}

func client(t *testing.T, s *station.Station, url string) *examsync.Client {
	t.Helper()
	c, err := s.Client(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStation_Sync: one round sends the outbox, verifies the centre's
// log, pulls, measures the clock and remembers the centre; a centre that
// does not answer is not remembered; a log that does not extend the
// checkpoint held stops the round with an alarm, until a person says the
// centre was restored. The steps share one station and centre (each costs
// seconds to make).
func TestStation_Sync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, saved, srv := syncRig(t)
	s := st.S
	var first *station.SyncReport
	t.Run("OK", func(t *testing.T) {
		rep, err := s.Sync(ctx, client(t, s, srv.URL), station.SyncOptions{CA: "/etc/shicao/ca.pem", Since: -1})
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
		if len(rep.Upload.Sent) != 1 || rep.Upload.Sent[0].ResultID != saved.ID || rep.Queued != 0 {
			t.Fatalf("sent %+v, %d queued; want %s sent, none queued", rep.Upload.Sent, rep.Queued, saved.ID)
		}
		if _, _, err := s.Store().Receipt(ctx, saved.ID); err != nil {
			t.Fatalf("no receipt kept: %v", err)
		}
		if rep.Log == nil || rep.Log.Size < 1 || !rep.ClockMeasured || rep.Pull == nil {
			t.Fatalf("report %+v: want the log checked, the clock measured, the pull done", rep)
		}
		link, err := s.Store().CentreLink(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if link.URL != srv.URL || link.CA != "/etc/shicao/ca.pem" || string(link.Checkpoint) != string(rep.Log.Signed) || link.Cursor != rep.Pull.Next {
			t.Fatalf("remembered %+v; want the URL, the CA, the checkpoint and the cursor of the round", link)
		}
		// Again: nothing to send, the same log, nothing new.
		rep2, err := s.Sync(ctx, client(t, s, srv.URL), station.SyncOptions{CA: "/etc/shicao/ca.pem", Since: -1})
		if err != nil || len(rep2.Upload.Sent) != 0 || rep2.Log.Size != rep.Log.Size || rep2.Changed() != 0 {
			t.Fatalf("second round: %+v, %v; want nothing changed", rep2, err)
		}
		first = rep
	})
	if first == nil {
		t.FailNow()
	}
	t.Run("NoAnswer", func(t *testing.T) {
		// A mistyped URL: nothing answers; the one that works is kept.
		dead := httptest.NewServer(nil)
		dead.Close()
		rep, err := s.Sync(ctx, client(t, s, dead.URL), station.SyncOptions{CA: "/other/ca.pem", Since: -1})
		if err == nil || !strings.HasPrefix(err.Error(), "checkpoint: ") {
			t.Fatalf("sync to nothing: %v, want a checkpoint error", err)
		}
		if rep.Log != nil || rep.Pull != nil {
			t.Fatalf("report %+v: the round went on past the checkpoint", rep)
		}
		if link, _ := s.Store().CentreLink(ctx); link.URL != srv.URL || link.CA != "/etc/shicao/ca.pem" {
			t.Fatalf("remembered %s (CA %q) after a centre that did not answer; want %s kept", link.URL, link.CA, srv.URL)
		}
	})
	t.Run("ErrForked", func(t *testing.T) {
		// The station holds a checkpoint of the same size with another
		// root, signed by the centre's key: the centre rewrote its log.
		link, _ := s.Store().CentreLink(ctx)
		link.Checkpoint = forgedCheckpoint(t, first.Log.Size)
		if err := s.Store().SetCentreLink(ctx, link); err != nil {
			t.Fatal(err)
		}
		_, err := s.Sync(ctx, client(t, s, srv.URL), station.SyncOptions{Since: -1})
		if !errors.Is(err, examsync.ErrForked) || !strings.Contains(err.Error(), "--centre-restored") {
			t.Fatalf("sync against a rewritten log: %v, want ErrForked and what to do", err)
		}
		alarms, _ := s.Store().Alarms(ctx)
		if len(alarms) == 0 || !strings.HasPrefix(alarms[len(alarms)-1], "centre-log ") {
			t.Fatalf("alarms %q, want a centre-log alarm", alarms)
		}
		// The operator says the centre was restored: every result goes
		// again and the station starts from the log as it is.
		rep, err := s.Sync(ctx, client(t, s, srv.URL), station.SyncOptions{Since: -1, CentreRestored: true})
		if err != nil || !rep.Restored || rep.Resent != 1 || len(rep.Upload.Sent) != 1 || rep.Log == nil {
			t.Fatalf("restored: %+v, %v; want 1 result sent again and the log held anew", rep, err)
		}
		if link, _ := s.Store().CentreLink(ctx); string(link.Checkpoint) != string(rep.Log.Signed) {
			t.Fatal("the new checkpoint is not held")
		}
	})
	t.Run("ErrNoCentreKey", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "st")
		if _, err := station.InitDir(ctx, dir, "STN-09", "TA-KD-01"); err != nil {
			t.Fatal(err)
		}
		s, err := station.OpenDir(ctx, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Sync(ctx, client(t, s, srv.URL), station.SyncOptions{Since: -1}); !errors.Is(err, station.ErrNoCentreKey) {
			t.Fatalf("sync without a centre key: %v, want ErrNoCentreKey", err)
		}
	})
}

func forgedCheckpoint(t *testing.T, size int64) []byte {
	t.Helper()
	key, _ := demo.CentreKeys()
	signer, err := note.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := examsync.SignText(examsync.CheckpointText(signer.Name(), size, tlog.Hash{1, 2, 3}), signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStation_StartLink: the running station's link sends in the
// background and says how it went: online, when it last synced, the last
// error; RetryNow starts a round at once.
func TestStation_StartLink(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, saved, srv := syncRig(t)
	s := st.S
	// Rounds come only when poked (Every is longer than any test).
	l, err := s.StartLink(ctx, station.LinkOptions{URL: srv.URL, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	<-l.First()
	if !l.Online() || l.LastSync().IsZero() || l.LastError() != "" {
		t.Fatalf("after the first round: online %v, last sync %s, error %q", l.Online(), l.LastSync(), l.LastError())
	}
	if _, _, err := s.Store().Receipt(ctx, saved.ID); err != nil {
		t.Fatalf("the first round did not send the result: %v", err)
	}
	// A second result, sent when poked.
	next := st.Exam(t, demo.Candidates[1].IDNumber, "sync-2", 0)
	round := l.RoundDone()
	l.RetryNow()
	<-round
	if _, _, err := s.Store().Receipt(ctx, next.ID); err != nil {
		t.Fatalf("the poked round did not send the result: %v", err)
	}
	// The centre is gone: the link says so.
	srv.Close()
	round = l.RoundDone()
	l.RetryNow()
	<-round
	if l.Online() || l.LastError() == "" {
		t.Fatalf("with the centre gone: online %v, error %q", l.Online(), l.LastError())
	}
}
