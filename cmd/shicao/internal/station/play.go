package station

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shicao/standards"
)

// Play feeds a vector's events (a self-test script of the item's own
// standard) into the running item as if they happened: device events as
// readings, examiners' marks by the signed-in examiners (examiner "1" is
// the first to sign in), timers and phases as the examiners' keys would
// record them. advance moves the station's clock to each event's time.
// Scripts and tests use it to run an exam without equipment; the
// simulators drive the same Item methods with real bytes.
func (it *Item) Play(ctx context.Context, v *standards.Vector, advance func(tMs int64)) error {
	events := it.Std.Expand(v)
	refs := map[int64]int64{} // vector seq -> station seq, for mark.undo
	for _, e := range events {
		switch e.Type {
		case standards.TypeSessionStart:
			continue
		case standards.TypeSessionEnd, standards.TypeCandidateAck:
			// The end and the acknowledgement are the examiners' and the
			// candidate's own steps (Finish, Acknowledge).
			continue
		}
		advance(e.TMs)
		var data map[string]any
		if len(e.Data) > 0 {
			if err := json.Unmarshal(e.Data, &data); err != nil {
				return err
			}
		}
		et := it.Std.Vocabulary().Types[e.Type]
		var err error
		switch {
		case et != nil && et.Device != "":
			err = it.Record(ctx, et.Device, e.Type, data)
		case e.Type == standards.TypeMark:
			var seq int64
			seq, err = it.Mark(ctx, it.examinerFor(e.Source), fmt.Sprint(data["item"]), fmt.Sprint(data["mark"]))
			refs[e.Seq] = seq
		case e.Type == standards.TypeMarkUndo:
			ref := int64(data["ref"].(float64))
			err = it.Undo(ctx, it.examinerFor(e.Source), refs[ref])
		case e.Type == standards.TypeVeto:
			err = it.Veto(ctx, it.examinerFor(e.Source), fmt.Sprint(data["veto"]))
		case e.Type == standards.TypeReviewResolve:
			d, _ := standards.ParsePoints(fmt.Sprint(data["deduct"]))
			err = it.Resolve(ctx, it.exam.examiners[0].Examiner.ID, fmt.Sprint(data["item"]), d, fmt.Sprint(data["reason"]))
		case e.Type == "timer":
			err = it.Timer(ctx, fmt.Sprint(data["name"]), time.Duration(data["ms"].(float64))*time.Millisecond)
		case e.Type == "phase":
			err = it.Phase(ctx, fmt.Sprint(data["name"]))
		default:
			err = it.system(ctx, e.Type, data)
		}
		if err != nil {
			return fmt.Errorf("play %s: event %d (%s): %w", v.Name, e.Seq, e.Type, err)
		}
	}
	if len(events) > 0 {
		advance(events[len(events)-1].TMs)
	}
	return nil
}

// examinerFor maps a vector's source ("examiner:2") to the id of the
// signed-in examiner in that position.
func (it *Item) examinerFor(source string) string {
	n := strings.TrimPrefix(source, "examiner:")
	i := 0
	fmt.Sscanf(n, "%d", &i)
	if i >= 1 && i <= len(it.exam.examiners) {
		return it.exam.examiners[i-1].Examiner.ID
	}
	return it.exam.examiners[0].Examiner.ID
}
