package station

import (
	"context"
	"log/slog"
	"slices"

	"shicao/hardware"
)

// Route is the one place a hardware reading becomes a station event: it
// is recorded into the live item (Config.Live) when the item uses that
// kind of device; a lost or returning device is recorded as such; with no
// item running, a reading may complete an armed reference check of the
// readiness gate. What cannot be recorded is logged: the reading is gone
// and the screen shows it anyway. The screen is the caller's: Route says
// nothing of it.
func (s *Station) Route(ctx context.Context, log *slog.Logger, kind string, rd hardware.Reading) {
	s.mu.Lock()
	it := s.live
	s.mu.Unlock()
	uses := it != nil && slices.Contains(it.Std.Devices, kind)
	if it == nil && rd.Fields != nil {
		if done, err := s.Offer(kind, rd.Type, rd.Fields); done {
			log.Info("reference check", "kind", kind, "type", rd.Type, "err", err)
		}
	}
	if !uses {
		return
	}
	var err error
	switch rd.Type {
	case hardware.TypeLost:
		if err = it.DeviceLost(ctx, kind); err != nil {
			log.Error("record device lost", "kind", kind, "err", err)
		}
	case hardware.TypeBack:
		if err = it.DeviceBack(ctx, kind); err != nil {
			log.Error("record device back", "kind", kind, "err", err)
		}
	case hardware.TypeConnected, hardware.TypeStatus:
	default:
		if rd.DeviceClock {
			err = it.RecordAt(ctx, kind, rd.Type, rd.Fields, rd.At)
		} else {
			err = it.Record(ctx, kind, rd.Type, rd.Fields)
		}
		if err != nil {
			log.Error("record reading", "kind", kind, "type", rd.Type, "err", err)
		}
	}
}
