package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// EventPublisher publishes canonical events for online consumers (the
// predictor's live state, notification services) once they are stored.
type EventPublisher interface {
	PublishEvents(ctx context.Context, events []schemas.ScanEvent) error
}

// KafkaEvents publishes canonical events as JSON (schemas.ScanEvent) to a
// topic, keyed by tracking number so a shipment's events stay in order in
// one partition, and waits for the broker's acknowledgement.
type KafkaEvents struct {
	w *kafka.Writer
}

// NewKafkaEvents returns a publisher to topic on brokers.
func NewKafkaEvents(brokers []string, topic string) *KafkaEvents {
	return &KafkaEvents{w: &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    1000,
		BatchTimeout: 5 * time.Millisecond,
	}}
}

// PublishEvents writes events; on error some may have been written, and a
// retry writes them again (consumers dedupe by event_id).
func (k *KafkaEvents) PublishEvents(ctx context.Context, events []schemas.ScanEvent) error {
	msgs := make([]kafka.Message, len(events))
	for i := range events {
		v, err := json.Marshal(&events[i])
		if err != nil {
			return fmt.Errorf("encode event %s: %w", events[i].EventID, err)
		}
		msgs[i] = kafka.Message{Key: []byte(events[i].TrackingNumber), Value: v}
	}
	if err := k.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d normalized events: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the writer.
func (k *KafkaEvents) Close() error { return k.w.Close() }
