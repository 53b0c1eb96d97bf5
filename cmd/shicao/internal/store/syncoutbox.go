package store

import (
	"context"
	"time"

	examsync "shicao/sync"
)

// SyncOutbox returns the outbox as the sync uploader uses it.
func (s *Store) SyncOutbox() examsync.Outbox { return syncOutbox{s} }

type syncOutbox struct{ s *Store }

var (
	_ examsync.Outbox     = syncOutbox{}
	_ examsync.BodyReader = syncOutbox{}
)

func (o syncOutbox) Body(ctx context.Context, resultID string) ([]byte, error) {
	return o.s.OutboxBody(ctx, resultID)
}

func (o syncOutbox) Due(ctx context.Context, now time.Time) ([]examsync.Row, error) {
	rows, err := o.s.Due(ctx, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	out := make([]examsync.Row, len(rows))
	for i, r := range rows {
		out[i] = examsync.Row{ResultID: r.ResultID, Attempts: r.Attempts}
	}
	return out, nil
}

func (o syncOutbox) Retry(ctx context.Context, resultID string, next time.Time, reason string) error {
	return o.s.Retry(ctx, resultID, next.UnixMilli(), reason)
}

func (o syncOutbox) Park(ctx context.Context, resultID, reason string) error {
	return o.s.Park(ctx, resultID, reason)
}

func (o syncOutbox) MarkSent(ctx context.Context, resultID string, receipt []byte, index int64) error {
	return o.s.MarkSent(ctx, resultID, receipt, index)
}
