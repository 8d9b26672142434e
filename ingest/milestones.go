package ingest

import (
	"context"
	"time"

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
	return &KafkaMilestones{w: keyedWriter(brokers, topic, 1000, time.Millisecond)}
}

// PublishMilestones writes ms; on error some may have been written, and a
// retry writes them again (consumers dedupe by id).
func (k *KafkaMilestones) PublishMilestones(ctx context.Context, ms []schemas.Milestone) error {
	return publishJSON(ctx, k.w, "milestone", ms,
		func(m *schemas.Milestone) string { return m.TrackingNumber }, func(m *schemas.Milestone) string { return m.ID })
}

// Close flushes and closes the writer.
func (k *KafkaMilestones) Close() error { return k.w.Close() }
