package ingest

import (
	"context"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// KafkaExceptions publishes exceptions as JSON (schemas.Exception) as
// they open and resolve, keyed by tracking number so a shipment's stay in
// order in one partition, and waits for the broker's acknowledgement.
type KafkaExceptions struct {
	w *kafka.Writer
}

// NewKafkaExceptions returns a publisher to topic on brokers
// (schemas.ExceptionsTopic in production).
func NewKafkaExceptions(brokers []string, topic string) *KafkaExceptions {
	return &KafkaExceptions{w: keyedWriter(brokers, topic, 0, 5*time.Millisecond)}
}

// PublishExceptions writes the exceptions; on error some may have been
// written, and a retry writes them again (consumers dedupe by id and
// state).
func (k *KafkaExceptions) PublishExceptions(ctx context.Context, list []schemas.Exception) error {
	return publishJSON(ctx, k.w, "exception", list,
		func(e *schemas.Exception) string { return e.TrackingNumber }, func(e *schemas.Exception) string { return e.ID })
}

// Close flushes and closes the writer.
func (k *KafkaExceptions) Close() error { return k.w.Close() }
