package sim

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
)

// MessageWriter is the part of *kafka.Writer the publisher needs.
type MessageWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
}

// Stats counts what Publish sent.
type Stats struct {
	Shipments int
	Scans     int
}

// Publish generates every shipment of g and writes its scans as generic
// feed records keyed by tracking number, in batches of batchSize. each, if
// not nil, sees every shipment (ground truth) after its scans were sent.
func Publish(ctx context.Context, w MessageWriter, g *Generator, batchSize int, each func(*Shipment)) (Stats, error) {
	var st Stats
	if batchSize <= 0 {
		batchSize = 1000
	}
	buf := make([]kafka.Message, 0, batchSize)
	var pending []Shipment
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, buf...); err != nil {
			return fmt.Errorf("publish %d scans: %w", len(buf), err)
		}
		st.Scans += len(buf)
		buf = buf[:0]
		for i := range pending {
			st.Shipments++
			if each != nil {
				each(&pending[i])
			}
		}
		pending = pending[:0]
		return nil
	}
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		for i := range s.Scans {
			v, err := json.Marshal(generic.FromEvent(&s.Scans[i]))
			if err != nil {
				return st, fmt.Errorf("encode scan of %s: %w", s.TrackingNumber, err)
			}
			buf = append(buf, kafka.Message{Key: []byte(s.TrackingNumber), Value: v})
		}
		pending = append(pending, s)
		if len(buf) >= batchSize {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	return st, flush()
}
