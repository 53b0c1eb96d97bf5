package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"shicao/standards"
)

// NewEvent is an event to append: the store assigns seq and chains it.
type NewEvent struct {
	TMs    int64
	WallMs int64 // 0: the store's clock
	Type   string
	Source string
	Data   []byte // a JSON object or nil
}

// Appended is an event as committed.
type Appended struct {
	standards.Event
	WallMs   int64
	PrevHash standards.Hash
	Hash     standards.Hash
}

// Append adds an event to a session's log and returns once it is durable
// (committed with synchronous FULL). Concurrent appends are committed
// together (group commit), so a 1 kHz device stream costs one fsync per
// batch, not per event. The event's data is stored in canonical form.
func (s *Store) Append(ctx context.Context, session int64, e NewEvent) (Appended, error) {
	p, err := s.Enqueue(ctx, session, e)
	if err != nil {
		return Appended{}, err
	}
	return p.Wait()
}

// Pending is an event handed to the appender, not yet known durable.
type Pending struct{ done chan appendRes }

// Wait returns once the event is committed (or refused). Once enqueued an
// event is always committed or refused: Wait never reports a durable event
// as lost.
func (p *Pending) Wait() (Appended, error) {
	res := <-p.done
	p.done <- res // let Wait be called again
	return res.ev, res.err
}

// Enqueue hands an event to the appender without waiting for its commit,
// so that one device reader can keep several events in flight: events
// enqueued by one goroutine are committed in the order enqueued. The
// caller must Wait before it treats the event as recorded.
func (s *Store) Enqueue(ctx context.Context, session int64, e NewEvent) (*Pending, error) {
	data, err := standards.CanonicalData(e.Data)
	if err != nil {
		return nil, fmt.Errorf("append to session %d: %s data: %w", session, e.Type, err)
	}
	if e.Type == "" {
		return nil, fmt.Errorf("append to session %d: event without a type", session)
	}
	e.Data = data
	if e.WallMs == 0 {
		e.WallMs = s.nowMs()
	}
	req := &appendReq{session: session, ev: e, done: make(chan appendRes, 1)}
	if err := s.app.enqueue(ctx, req); err != nil {
		return nil, err
	}
	return &Pending{done: req.done}, nil
}

var errClosed = errors.New("store is closed")

type appendReq struct {
	session int64
	ev      NewEvent
	done    chan appendRes
}

type appendRes struct {
	ev  Appended
	err error
}

type head struct {
	seq  int64
	hash standards.Hash
	t    int64
}

// appender is the single writer of the event log. It owns the heads of
// the chains, so seq assignment is gapless without reading back.
type appender struct {
	s        *Store
	in       chan *appendReq
	quit     chan struct{}
	done     sync.WaitGroup
	window   time.Duration
	maxBatch int
	heads    map[int64]head

	mu     sync.RWMutex
	closed bool
}

func newAppender(s *Store, window time.Duration, maxBatch int) *appender {
	a := &appender{s: s, in: make(chan *appendReq, maxBatch), quit: make(chan struct{}), window: window, maxBatch: maxBatch, heads: map[int64]head{}}
	a.done.Add(1)
	go a.loop()
	return a
}

// enqueue hands a request to the appender unless it is closed. The read
// lock makes "closed" and "queued" exclusive: a request queued is always
// committed or refused, never left waiting.
func (a *appender) enqueue(ctx context.Context, req *appendReq) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return errClosed
	}
	select {
	case a.in <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *appender) stop() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	close(a.quit)
	a.done.Wait()
}

func (a *appender) loop() {
	defer a.done.Done()
	batch := make([]*appendReq, 0, a.maxBatch)
	for {
		var first *appendReq
		select {
		case first = <-a.in:
		case <-a.quit:
			// Commit what was queued before the close.
			for {
				select {
				case r := <-a.in:
					a.commit([]*appendReq{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
		if a.window > 0 {
			timer := time.NewTimer(a.window)
		collect:
			for len(batch) < a.maxBatch {
				select {
				case r := <-a.in:
					batch = append(batch, r)
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
		}
	drain:
		for len(batch) < a.maxBatch {
			select {
			case r := <-a.in:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		a.commit(batch)
	}
}

func (a *appender) commit(batch []*appendReq) {
	ctx := context.Background()
	results := make([]appendRes, len(batch))
	heads := map[int64]head{}
	err := a.s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (session_id, seq, t_ms, wall_ms, type, source, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range batch {
			h, ok := heads[r.session]
			if !ok {
				h, err = a.head(ctx, tx, r.session)
				if err != nil {
					results[i].err = err
					continue
				}
			}
			if r.ev.TMs < h.t {
				results[i].err = fmt.Errorf("append to session %d: t_ms %d is before the log's last %d", r.session, r.ev.TMs, h.t)
				continue
			}
			ev := standards.Event{Seq: h.seq + 1, TMs: r.ev.TMs, Type: r.ev.Type, Source: r.ev.Source, Data: r.ev.Data}
			hash := standards.ChainNext(h.hash, ev.CanonicalTrusted())
			var data any
			if ev.Data != nil {
				data = []byte(ev.Data)
			}
			if _, err := stmt.ExecContext(ctx, r.session, ev.Seq, ev.TMs, r.ev.WallMs, ev.Type, ev.Source, data, h.hash[:], hash[:]); err != nil {
				return fmt.Errorf("append to session %d: %w", r.session, err)
			}
			results[i].ev = Appended{Event: ev, WallMs: r.ev.WallMs, PrevHash: h.hash, Hash: hash}
			heads[r.session] = head{seq: ev.Seq, hash: hash, t: ev.TMs}
		}
		for id, h := range heads {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET head_seq = ?, head_hash = ? WHERE id = ?`, h.seq, h.hash.String(), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Nothing of the batch is durable: refuse every event in it and
		// forget the cached heads, which the database will tell again.
		for _, r := range batch {
			delete(a.heads, r.session)
			r.done <- appendRes{err: err}
		}
		return
	}
	for id, h := range heads {
		a.heads[id] = h
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

// head returns a session's chain head, from the cache or the database.
func (a *appender) head(ctx context.Context, tx *sql.Tx, session int64) (head, error) {
	if h, ok := a.heads[session]; ok {
		return h, nil
	}
	var h head
	var hashHex, state string
	err := tx.QueryRowContext(ctx, `SELECT head_seq, head_hash, state FROM sessions WHERE id = ?`, session).Scan(&h.seq, &hashHex, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("append to session %d: %w", session, ErrNotFound)
	}
	if err != nil {
		return h, err
	}
	if state != SessionRunning {
		return h, fmt.Errorf("append to session %d: the session is %s", session, state)
	}
	if hashHex != "" {
		if h.hash, err = standards.ParseHash(hashHex); err != nil {
			return h, err
		}
		if err := tx.QueryRowContext(ctx, `SELECT t_ms FROM events WHERE session_id = ? AND seq = ?`, session, h.seq).Scan(&h.t); err != nil {
			return h, fmt.Errorf("session %d head: %w", session, err)
		}
	}
	return h, nil
}

// Events returns a session's whole log in order.
func (s *Store) Events(ctx context.Context, session int64) ([]Appended, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, t_ms, wall_ms, type, source, data, prev_hash, hash FROM events WHERE session_id = ? ORDER BY seq`, session)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Appended
	for rows.Next() {
		var a Appended
		var data, prev, hash []byte
		if err := rows.Scan(&a.Seq, &a.TMs, &a.WallMs, &a.Type, &a.Source, &data, &prev, &hash); err != nil {
			return nil, err
		}
		a.Data = data
		copy(a.PrevHash[:], prev)
		copy(a.Hash[:], hash)
		out = append(out, a)
	}
	return out, rows.Err()
}

// VerifyChain recomputes a session's chain from its stored events and
// checks every stored hash and the session's recorded head.
func (s *Store) VerifyChain(ctx context.Context, session int64) (standards.Hash, error) {
	evs, err := s.Events(ctx, session)
	if err != nil {
		return standards.Hash{}, err
	}
	var h standards.Hash
	for i, e := range evs {
		if e.Seq != int64(i+1) {
			return h, fmt.Errorf("session %d: event %d missing", session, i+1)
		}
		if e.PrevHash != h {
			return h, fmt.Errorf("session %d: event %d does not follow event %d", session, e.Seq, e.Seq-1)
		}
		c, err := e.Event.Canonical()
		if err != nil {
			return h, err
		}
		h = standards.ChainNext(h, c)
		if h != e.Hash {
			return h, fmt.Errorf("session %d: event %d was changed after it was written", session, e.Seq)
		}
	}
	var seq int64
	var headHex string
	if err := s.db.QueryRowContext(ctx, `SELECT head_seq, head_hash FROM sessions WHERE id = ?`, session).Scan(&seq, &headHex); err != nil {
		return h, translate(err)
	}
	if seq != int64(len(evs)) || (seq > 0 && headHex != h.String()) {
		return h, fmt.Errorf("session %d: recorded head %d does not match the log's %d events", session, seq, len(evs))
	}
	return h, nil
}

// Done returns a Pending that is already complete: a marker that lets a
// caller wait, in order, for everything it enqueued before.
func Done() *Pending {
	p := &Pending{done: make(chan appendRes, 1)}
	p.done <- appendRes{}
	return p
}
