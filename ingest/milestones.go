package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// KafkaMilestones publishes milestones as JSON (schemas.Milestone) to a
// topic (schemas.MilestonesTopic), keyed by tracking number so a
// shipment's milestones stay in one partition, and waits for the broker's
// acknowledgement. It implements milestones.Publisher.
type KafkaMilestones struct {
	w *kafka.Writer
}

// NewKafkaMilestones returns a publisher to topic on brokers.
func NewKafkaMilestones(brokers []string, topic string) *KafkaMilestones {
	return &KafkaMilestones{w: &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    1000,
		BatchTimeout: time.Millisecond,
	}}
}

// PublishMilestones writes ms; on error some may have been written, and a
// retry writes them again (consumers dedupe by id).
func (k *KafkaMilestones) PublishMilestones(ctx context.Context, ms []schemas.Milestone) error {
	msgs := make([]kafka.Message, len(ms))
	for i := range ms {
		v, err := json.Marshal(&ms[i])
		if err != nil {
			return fmt.Errorf("encode milestone %s: %w", ms[i].ID, err)
		}
		msgs[i] = kafka.Message{Key: []byte(ms[i].TrackingNumber), Value: v}
	}
	if err := k.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d milestones: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the writer.
func (k *KafkaMilestones) Close() error { return k.w.Close() }
