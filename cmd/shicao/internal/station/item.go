package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Device is a piece of equipment as the station sees it at the start of an
// item: what the hardware layer reports about it.
type Device struct {
	Kind      string
	Port      string
	Model     string
	Serial    string
	Firmware  string
	Connected bool
	SelfTest  error // nil: passed
	// PortErr says why the port cannot be used, while it cannot: a
	// *serialport.OpenError that is NotFound (no port at the path, which
	// is not the same as a device disconnected), or another. nil for a
	// device that is up or merely disconnected.
	PortErr error
	// LastReading is when the device's last reading arrived (zero: none
	// yet); Stale says whether its value may still be shown.
	LastReading time.Time
	// Unmeasured lists, per event type, the fields the device's profile
	// declares it cannot measure (profiles.Profile.Unmeasured). An item
	// whose standard reads one of them does not start on this device.
	Unmeasured map[string][]string
}

// Item is one drawn item being run: its session in the store and its live
// score. It is safe for concurrent use (device readers and the examiners'
// keys arrive on different goroutines).
type Item struct {
	exam    *Exam
	Subject string
	Std     *standards.Standard
	Session int64
	Devices []Device

	mu        sync.Mutex // serialises appends: the order of calls is the log's order
	started   time.Time  // monotonic base of t_ms
	base      int64      // t_ms at started (non-zero after a resume)
	lastT     int64
	ended     bool
	confirmed map[string]bool
	acked     *bool
	done      bool
	down      time.Duration // the outage Continue recorded

	anchors map[string]anchor // per device kind: its clock against the item's

	// Events go to the store's group commit as they happen and a scorer
	// goroutine feeds each to the live score once it is durable, in order:
	// a 1 kHz device stream is not held up by one fsync per reading.
	q        chan queued
	scorerWG sync.WaitGroup
	scoreMu  sync.Mutex // guards score and err
	score    *scoring.Session
	err      error // sticky: the log or the score refused an event
}

// queued is an event handed to the store, waiting to be durable.
type queued struct {
	p    *store.Pending
	done chan appended // nil: the caller does not wait (device readings)
}

type appended struct {
	seq int64
	err error
}

// startScorer starts the goroutine that scores events once durable.
func (it *Item) startScorer() {
	it.q = make(chan queued, 4096)
	it.scorerWG.Add(1)
	go func() {
		defer it.scorerWG.Done()
		for qe := range it.q {
			a, err := qe.p.Wait()
			it.scoreMu.Lock()
			switch {
			case it.err != nil:
				err = it.err
			case err != nil:
				it.err = fmt.Errorf("an event could not be saved: %w", err)
			case a.Seq == 0:
				// A Flush marker: nothing to score.
			default:
				if f := it.exam.s.cfg.OnAppend; f != nil {
					f(it.Session, a.Seq)
				}
				if serr := it.score.Add(&a.Event); serr != nil {
					// Durable but not scorable: the sheet cannot be
					// trusted any more. Stop the item loudly.
					it.err = fmt.Errorf("event %d is recorded but cannot be scored: %w", a.Seq, serr)
					err = it.err
				}
			}
			it.scoreMu.Unlock()
			if qe.done != nil {
				qe.done <- appended{a.Seq, err}
			}
		}
	}()
}

// stopScorer waits for the events in flight and stops the scorer. Call
// with it.mu held, once nothing more will be appended.
func (it *Item) stopScorer() {
	if it.q != nil {
		close(it.q)
		it.scorerWG.Wait()
		it.q = nil
	}
}

// Close stops the item's background work (its events are all durable and
// scored when it returns). An item left open by a crash is resumed from
// the store, not from memory.
func (it *Item) Close() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.stopScorer()
}

func (it *Item) failed() error {
	it.scoreMu.Lock()
	defer it.scoreMu.Unlock()
	return it.err
}

// StartItem starts the drawn item of a subject. The standard's devices
// must each be connected, pass self-test and be registered to this exam
// site (考培分离); otherwise the item cannot start and the refusal names the
// device and why.
func (e *Exam) StartItem(ctx context.Context, subject string, devices []Device) (*Item, error) {
	d, why := e.toStart(subject)
	if why != nil {
		return nil, why
	}
	std := d.Standard
	use, checks, why := e.startDevices(ctx, std, devices)
	if why != nil {
		return nil, why
	}
	first, err := e.openingEvents(d, use, checks)
	if err != nil {
		return nil, err
	}
	id, opened, err := e.s.st.StartSession(ctx, store.Session{AttemptID: e.attemptID, PlanID: e.plan.ID, Candidate: e.candidate.IDNumber,
		Subject: subject, Standard: std.ID, Version: std.Version, SHA256: std.SHA256()}, first)
	if err != nil {
		return nil, err
	}
	it := &Item{exam: e, Subject: subject, Std: std, Session: id, Devices: use, score: scoring.NewSession(std), started: e.s.examNow(), confirmed: map[string]bool{}}
	for _, a := range opened {
		if err := it.score.Add(&a.Event); err != nil {
			return nil, fmt.Errorf("session %d: event %d: %w", id, a.Seq, err)
		}
		if f := e.s.cfg.OnAppend; f != nil {
			f(id, a.Seq)
		}
	}
	it.startScorer()
	e.gated = true
	e.items[subject] = it
	e.s.setLive(it)
	return it, nil
}

// toStart returns the subject's drawn item, if it is drawn, not started,
// and its standard in force today.
func (e *Exam) toStart(subject string) (*Drawn, *Refusal) {
	var d *Drawn
	for i := range e.drawn {
		if e.drawn[i].Subject == subject {
			d = &e.drawn[i]
		}
	}
	if d == nil {
		return nil, refuse("not-drawn", "科目 %s 尚未抽题", "subject %s has not been drawn", subject)
	}
	if it := e.items[subject]; it != nil {
		return nil, refuse("item-started", "科目 %s 已开始", "subject %s has started already", subject)
	}
	std := d.Standard
	if ref := notUsable(std.Span(), std.ID, e.s.Today()); ref != nil {
		return nil, ref
	}
	return d, nil
}

// startDevices passes the readiness gate, before the candidate's first
// item (a resumed exam passed it before the crash), and picks a device of
// each kind the standard needs, one that measures what it reads.
func (e *Exam) startDevices(ctx context.Context, std *standards.Standard, devices []Device) ([]Device, []Check, *Refusal) {
	var checks []Check
	if !e.gated && len(e.items) == 0 && e.resuming == nil {
		e.s.refMu.Lock()
		c, why := e.readiness(ctx, std, devices)
		e.s.refMu.Unlock()
		if why != nil {
			return nil, nil, why
		}
		checks = c
	}
	var use []Device
	for _, kind := range std.Devices {
		dev, why := e.pickDevice(ctx, kind, devices)
		if why != nil {
			return nil, nil, why
		}
		if why := unmeasured(std, dev); why != nil {
			return nil, nil, why
		}
		use = append(use, dev)
	}
	return use, checks, nil
}

// openingEvents returns an item's opening events: session.start, the
// draw, the candidate's identity check, each device's status and the
// readiness checks. The session and they are one transaction: a crash
// cannot leave an item that began with nothing in its log, or whose draw
// is lost.
func (e *Exam) openingEvents(d *Drawn, use []Device, checks []Check) ([]store.NewEvent, error) {
	std := d.Standard
	ids := make([]string, len(e.examiners))
	for i, x := range e.examiners {
		ids[i] = x.Examiner.ID
	}
	var first []store.NewEvent
	add := func(typ, source string, data map[string]any) error {
		raw, err := json.Marshal(data)
		first = append(first, store.NewEvent{TMs: 0, Type: typ, Source: source, Data: raw})
		return err
	}
	// The log names the attempt (the result's id) and the candidate, so
	// that it cannot be moved into another candidate's result: the centre
	// and shicao verify refuse a log that names another attempt.
	startEv := map[string]any{"item": std.ID, "version": std.Version, "examiners": ids,
		"attempt_id": e.attemptID, "candidate": e.candidate.IDNumber}
	if e.training {
		// A resumed attempt stays a training attempt (ResumeExam).
		startEv["purpose"] = examsync.PurposeTraining
	}
	if err := add(standards.TypeSessionStart, "system", startEv); err != nil {
		return nil, err
	}
	if err := add("draw", "system", map[string]any{"seed": e.seed, "subject": d.Subject, "pool": d.Pool, "item": std.ID}); err != nil {
		return nil, err
	}
	if id := e.identity; id != nil {
		// Through a map: an event's data is canonical JSON, keys sorted.
		var data map[string]any
		raw, err := json.Marshal(id)
		if err == nil {
			err = json.Unmarshal(raw, &data)
		}
		if err != nil {
			return nil, err
		}
		if err := add(id.EventType(), "system", data); err != nil {
			return nil, err
		}
	}
	for _, dev := range use {
		if err := add("device.status", "device:"+dev.Kind, map[string]any{"kind": dev.Kind, "model": dev.Model, "serial": dev.Serial, "firmware": dev.Firmware, "battery_pct": 100}); err != nil {
			return nil, err
		}
	}
	rc, err := readinessEvents(checks)
	if err != nil {
		return nil, err
	}
	return append(first, rc...), nil
}

// CheckDevice returns why the item could not start with the devices of a
// kind now (not connected, failed self-test, not registered to this site,
// none attached), or nil when one would be used: the readiness line shows
// exactly what StartItem will decide.
func (e *Exam) CheckDevice(ctx context.Context, kind string, devices []Device) *Refusal {
	_, why := e.pickDevice(ctx, kind, devices)
	return why
}

func (e *Exam) pickDevice(ctx context.Context, kind string, devices []Device) (Device, *Refusal) {
	var why *Refusal
	for _, d := range devices {
		if d.Kind != kind {
			continue
		}
		switch {
		case !d.Connected:
			why = refuse("device-lost", "设备 %s（%s）未连接", "device %s (%s) is not connected", kind, d.Port)
			continue
		case d.SelfTest != nil:
			why = refuse("device-selftest", "设备 %s（%s）自检未通过：%v", "device %s (%s) failed its self-test: %v", kind, d.Serial, d.SelfTest)
			continue
		}
		reg, err := e.s.st.EquipmentBySerial(ctx, d.Serial)
		if errors.Is(err, store.ErrNotFound) {
			why = refuse("device-unregistered", "设备 %s 序列号 %s 未在考务中心登记，不能用于考试（考培分离）", "device %s serial %s is not registered with the centre and may not be used (考培分离)", kind, d.Serial)
			continue
		}
		if err != nil {
			return Device{}, refuse("device-registry", "设备登记查询失败：%v", "equipment registry lookup failed: %v", err)
		}
		if reg.Site != e.s.cfg.Site {
			why = refuse("device-other-site", "设备 %s 序列号 %s 登记在考点 %s，不属于本考点 %s（考培分离）", "device %s serial %s is registered to site %s, not this site %s (考培分离)", kind, d.Serial, reg.Site, e.s.cfg.Site)
			continue
		}
		return d, nil
	}
	if why == nil {
		why = refuse("device-missing", "本题需要设备 %s，未发现该设备", "this item needs a %s device; none is attached", kind)
	}
	return Device{}, why
}

// unmeasured refuses a device that cannot measure a field the standard's
// rules read: a value the device does not have is never scored as 0 or
// as perfect. The refusal names the device, every such field and the
// standard.
func unmeasured(std *standards.Standard, d Device) *Refusal {
	var missing []string
	for _, n := range std.Needs() {
		if slices.Contains(d.Unmeasured[n.Type], n.Field) {
			missing = append(missing, n.Type+"."+n.Field)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	list := strings.Join(missing, ", ")
	return refuse("device-unmeasured",
		"设备 %s（型号 %s，序列号 %s）不能测量 %s，而标准 %s 的评分依据这些数据；请换用能测量的设备",
		"device %s (model %s, serial %s) cannot measure %s, which standard %s scores on; use a device that measures them",
		d.Kind, d.Model, d.Serial, list, std.ID)
}

// elapsed returns t_ms now.
func (it *Item) elapsed() int64 {
	t := it.base + it.exam.s.examNow().Sub(it.started).Milliseconds()
	return max(t, it.lastT)
}

// append writes one event durably and feeds the live score, and returns
// its seq once both are done. Call with it.mu held.
func (it *Item) append(ctx context.Context, typ, source string, data map[string]any) (int64, error) {
	done := make(chan appended, 1)
	if err := it.enqueue(ctx, typ, source, data, done); err != nil {
		return 0, err
	}
	r := <-done
	return r.seq, r.err
}

// enqueue hands one event to the store in log order. Call with it.mu held.
func (it *Item) enqueue(ctx context.Context, typ, source string, data map[string]any, done chan appended) error {
	return it.enqueueAt(ctx, typ, source, data, done, -1)
}

// enqueueAt is enqueue with the event's t_ms given (-1: now). A t_ms
// before the log's last is raised to it: the log's time never runs back.
func (it *Item) enqueueAt(ctx context.Context, typ, source string, data map[string]any, done chan appended, at int64) error {
	if err := it.failed(); err != nil {
		return err
	}
	if it.q == nil {
		return errors.New("the item is closed")
	}
	var raw []byte
	if data != nil {
		var err error
		raw, err = json.Marshal(data)
		if err != nil {
			return err
		}
	}
	t := it.elapsed()
	if at >= 0 {
		t = max(at, it.lastT)
	}
	p, err := it.exam.s.st.Enqueue(ctx, it.Session, store.NewEvent{TMs: t, Type: typ, Source: source, Data: raw})
	if err != nil {
		return err
	}
	it.lastT = t
	it.q <- queued{p: p, done: done}
	return nil
}

// Record adds a device reading (its event type and data fields). It
// returns once the reading is queued for the group commit; the live score
// takes it when it is durable. A reading that cannot be saved stops the
// item with the error (Sheet and every later call return it).
func (it *Item) Record(ctx context.Context, kind, typ string, data map[string]any) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return nil // after the end readings are not part of the exam
	}
	return it.enqueueAt(ctx, typ, "device:"+kind, data, nil, -1)
}

// RecordAt is Record for a reading stamped by the device's own clock (at,
// monotonic since the device started). The intervals between a device's
// readings are then the device's, not the host's: a busy station or a
// congested link delays readings but does not compress or stretch the
// 545 ms between two compressions that the cycle rules measure. The first
// reading anchors the device clock to the item's. A device clock that runs
// back (a device restart), ahead of the item's by more than 2 s, or behind
// by more than 30 s (longer than any delivery delay) re-anchors.
func (it *Item) RecordAt(ctx context.Context, kind, typ string, data map[string]any, at time.Duration) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return nil
	}
	now := it.elapsed()
	a, ok := it.anchors[kind]
	t := int64(0)
	if ok {
		t = a.t + (at - a.at).Milliseconds()
	}
	if !ok || at < a.at || t < now-30000 || t > now+2000 {
		if it.anchors == nil {
			it.anchors = map[string]anchor{}
		}
		it.anchors[kind] = anchor{t: now, at: at}
		t = now
	}
	return it.enqueueAt(ctx, typ, "device:"+kind, data, nil, t)
}

type anchor struct {
	t  int64         // item t_ms
	at time.Duration // the device's clock at that moment
}

// Flush waits until every reading recorded so far is durable and scored.
func (it *Item) Flush(ctx context.Context) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.q == nil {
		return it.failed()
	}
	done := make(chan appended, 1)
	// An empty marker: a no-op Pending that completes in order.
	it.q <- queued{p: store.Done(), done: done}
	r := <-done
	if r.err != nil {
		return r.err
	}
	return it.failed()
}

// DeviceLost and DeviceBack record equipment leaving and returning
// mid-item; the item goes on.
func (it *Item) DeviceLost(ctx context.Context, kind string) error {
	return it.system(ctx, "device.lost", map[string]any{"kind": kind})
}

// DeviceBack records a device's return; its clock is anchored afresh.
func (it *Item) DeviceBack(ctx context.Context, kind string) error {
	it.mu.Lock()
	delete(it.anchors, kind)
	it.mu.Unlock()
	return it.system(ctx, "device.back", map[string]any{"kind": kind})
}

func (it *Item) system(ctx context.Context, typ string, data map[string]any) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	_, err := it.append(ctx, typ, "system", data)
	return err
}

func (it *Item) examiner(id string) bool {
	for _, x := range it.exam.examiners {
		if x.Examiner.ID == id {
			return true
		}
	}
	return false
}

// Mark records an examiner's deduction from the standard's own list.
func (it *Item) Mark(ctx context.Context, examinerID, item, mark string) (int64, error) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.examiner(examinerID) {
		return 0, refuse("not-examiner", "%s 不是本场已登录的考评员", "%s is not an examiner signed in to this exam", examinerID)
	}
	sit := it.Std.Item(item)
	if sit == nil || sit.Mark(mark) == nil {
		return 0, refuse("mark-unknown", "评分项 %s 没有扣分项 %s", "item %s has no mark %s", item, mark)
	}
	seq, err := it.append(ctx, standards.TypeMark, "examiner:"+examinerID, map[string]any{"item": item, "mark": mark})
	if err == nil {
		it.sheetChanged()
	}
	return seq, err
}

// sheetChanged drops the examiners' confirmations when the sheet changes
// after the end (a mark, an undo, a resolution): they confirm the sheet
// the candidate signs, so they confirm it again. Call with it.mu held.
func (it *Item) sheetChanged() {
	if it.ended && len(it.confirmed) > 0 {
		it.confirmed = map[string]bool{}
	}
}

// Veto records a veto an examiner may record; the subject ends at once
// ("终止该科目考试").
func (it *Item) Veto(ctx context.Context, examinerID, veto string) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.examiner(examinerID) {
		return refuse("not-examiner", "%s 不是本场已登录的考评员", "%s is not an examiner signed in to this exam", examinerID)
	}
	v := it.Std.VetoByID(veto)
	if v == nil || !v.Mark {
		return refuse("veto-unknown", "本题没有考评员可记录的否决项 %s", "this item has no veto %s that examiners may record", veto)
	}
	if _, err := it.append(ctx, standards.TypeVeto, "examiner:"+examinerID, map[string]any{"veto": veto}); err != nil {
		return err
	}
	return it.finishLocked(ctx, "veto")
}

// Undo undoes the examiner's own mark with seq ref.
func (it *Item) Undo(ctx context.Context, examinerID string, ref int64) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.examiner(examinerID) {
		return refuse("not-examiner", "%s 不是本场已登录的考评员", "%s is not an examiner signed in to this exam", examinerID)
	}
	_, err := it.append(ctx, standards.TypeMarkUndo, "examiner:"+examinerID, map[string]any{"ref": ref})
	if err == nil {
		it.sheetChanged()
	}
	return err
}

// Timer records an examiner-timed interval (the carotid check).
func (it *Item) Timer(ctx context.Context, name string, d time.Duration) error {
	return it.system(ctx, "timer", map[string]any{"name": name, "ms": d.Milliseconds()})
}

// Phase records that the item entered a phase the standard times.
func (it *Item) Phase(ctx context.Context, name string) error {
	return it.system(ctx, "phase", map[string]any{"name": name})
}

// Limits returns the time limit and the hard stop, in ms since the start.
func (it *Item) Limits() (limit, stop int64) {
	limit = it.Std.TimeLimit.Millis()
	stop = limit
	if it.Std.Overtime != nil {
		stop += it.Std.Overtime.StopAfter.Millis()
	}
	return limit, stop
}

// SkipTo moves the item's clock ahead to tMs (ms since the start) if it
// is behind: a rehearsal plays a vector without waiting for its times,
// and the events still carry them. The clock never runs back.
func (it *Item) SkipTo(tMs int64) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return
	}
	if d := tMs - it.elapsed(); d > 0 {
		it.base += d
	}
}

// Elapsed returns the item's time so far.
func (it *Item) Elapsed() time.Duration {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return time.Duration(it.lastT) * time.Millisecond
	}
	return time.Duration(it.elapsed()) * time.Millisecond
}

// Tick ends the item at its hard stop; the TUI and the script driver call
// it as time passes. It reports whether the item has ended.
func (it *Item) Tick(ctx context.Context) (bool, error) {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.ended {
		return true, nil
	}
	if _, stop := it.Limits(); it.elapsed() >= stop {
		return true, it.finishLocked(ctx, "time")
	}
	return false, nil
}

// Finish ends the item (the candidate is done, or the examiners stop it).
func (it *Item) Finish(ctx context.Context, reason string) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.finishLocked(ctx, reason)
}

func (it *Item) finishLocked(ctx context.Context, reason string) error {
	if it.ended {
		return nil
	}
	if _, err := it.append(ctx, standards.TypeSessionEnd, "system", map[string]any{"reason": reason}); err != nil {
		return err
	}
	it.ended = true
	it.exam.s.endLive(it)
	return nil
}

// Ended reports whether the item has ended.
func (it *Item) Ended() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.ended
}

// Sheet returns the live (or final) sheet.
func (it *Item) Sheet() (*scoring.Sheet, error) {
	it.scoreMu.Lock()
	defer it.scoreMu.Unlock()
	if it.err != nil {
		return nil, it.err
	}
	return it.score.Sheet()
}

// Resolve is the chief examiner's (主考, the first to sign in) decision on
// an item the examiners disagree on, with a written reason.
func (it *Item) Resolve(ctx context.Context, chiefID, item string, deduct standards.Points, reason string) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if len(it.exam.examiners) == 0 || it.exam.examiners[0].Examiner.ID != chiefID {
		return refuse("not-chief", "只有主考（第一位登录的考评员）可以裁定", "only the chief examiner (the first to sign in) may resolve a review")
	}
	if strings.TrimSpace(reason) == "" {
		return refuse("reason-missing", "裁定须写明理由", "a resolution needs a written reason")
	}
	d, _ := strconv.ParseFloat(deduct.String(), 64)
	_, err := it.append(ctx, standards.TypeReviewResolve, "examiner:"+chiefID, map[string]any{"item": item, "deduct": d, "reason": reason})
	if err == nil {
		it.sheetChanged()
	}
	return err
}

// Confirm records an examiner's confirmation of the finished sheet.
func (it *Item) Confirm(ctx context.Context, examinerID string) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.ended {
		return refuse("not-ended", "本题尚未结束，不能确认", "the item has not ended")
	}
	if !it.examiner(examinerID) {
		return refuse("not-examiner", "%s 不是本场已登录的考评员", "%s is not an examiner signed in to this exam", examinerID)
	}
	it.scoreMu.Lock()
	sheet, err := it.score.Sheet()
	it.scoreMu.Unlock()
	if err != nil {
		return err
	}
	if sheet.NeedsReview {
		return refuse("needs-review", "考评员扣分相差超过允许值（%s），须主考裁定后再确认", "the examiners disagree beyond tolerance on %s: the chief examiner must resolve it first", strings.Join(sheet.Review, ", "))
	}
	if it.confirmed[examinerID] {
		return nil
	}
	if _, err := it.append(ctx, "confirm", "examiner:"+examinerID, map[string]any{"examiner": examinerID}); err != nil {
		return err
	}
	it.confirmed[examinerID] = true
	return it.maybeDone(ctx)
}

// Acknowledge records the candidate signing (or refusing to sign) the
// sheet. A refusal scores the item 0 and is recorded as such. The
// candidate signs last: it refuses before the item has ended, before
// every examiner has confirmed the sheet (ack-unconfirmed), and while a
// review is open (ack-review), so the score signed is the final one.
func (it *Item) Acknowledge(ctx context.Context, accepted bool) error {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.ended {
		return refuse("not-ended", "本题尚未结束", "the item has not ended")
	}
	if it.acked != nil {
		return refuse("acked", "考生已确认过", "the candidate has acknowledged already")
	}
	if why := it.ackBlockedLocked(); why != nil {
		return why
	}
	if _, err := it.append(ctx, standards.TypeCandidateAck, "candidate", map[string]any{"accepted": accepted}); err != nil {
		return err
	}
	it.acked = &accepted
	return it.maybeDone(ctx)
}

// AckBlocked returns why the candidate may not sign the sheet yet (a
// *Refusal), or nil once they may: the item has ended, every examiner has
// confirmed it and no review is open.
func (it *Item) AckBlocked() *Refusal {
	it.mu.Lock()
	defer it.mu.Unlock()
	if !it.ended {
		return refuse("not-ended", "本题尚未结束", "the item has not ended")
	}
	return it.ackBlockedLocked()
}

func (it *Item) ackBlockedLocked() *Refusal {
	it.scoreMu.Lock()
	sheet, err := it.score.Sheet()
	it.scoreMu.Unlock()
	if err == nil && sheet.NeedsReview {
		return refuse("ack-review", "考评员扣分相差超过允许值（%s），须主考裁定、考评员确认后考生再签字", "the examiners disagree beyond tolerance on %s: the chief examiner resolves it and the examiners confirm before the candidate signs",
			strings.Join(sheet.Review, ", "))
	}
	var missing []string
	for _, x := range it.exam.examiners {
		if !it.confirmed[x.Examiner.ID] {
			missing = append(missing, x.Examiner.Name)
		}
	}
	if len(missing) > 0 {
		return &Refusal{Code: "ack-unconfirmed",
			ZH: fmt.Sprintf("考生须在考评员全部确认后签字（尚未确认：%s）", strings.Join(missing, "、")),
			EN: fmt.Sprintf("the candidate signs after every examiner has confirmed the sheet (not confirmed yet: %s)", strings.Join(missing, ", "))}
	}
	return nil
}

// maybeDone closes the session once every examiner confirmed and the
// candidate acknowledged.
func (it *Item) maybeDone(ctx context.Context) error {
	if it.acked == nil || len(it.confirmed) < len(it.exam.examiners) {
		return nil
	}
	if err := it.exam.s.st.SetSessionState(ctx, it.Session, store.SessionFinished, ""); err != nil {
		return err
	}
	it.done = true
	it.stopScorer()
	return nil
}

// Done reports whether the item is finished, confirmed and acknowledged.
func (it *Item) Done() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.done
}

// Pending returns what the item still waits for, for the screen.
func (it *Item) Pending() []string {
	it.mu.Lock()
	defer it.mu.Unlock()
	var out []string
	if !it.ended {
		out = append(out, "end")
	}
	for _, x := range it.exam.examiners {
		if !it.confirmed[x.Examiner.ID] {
			out = append(out, "confirm:"+x.Examiner.ID)
		}
	}
	if it.acked == nil {
		out = append(out, "ack")
	}
	slices.Sort(out)
	return out
}

// Count returns how many durable events of a type the item's log holds.
func (it *Item) Count(ctx context.Context, typ string) (int, error) {
	evs, err := it.exam.s.st.Events(ctx, it.Session)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n, nil
}
