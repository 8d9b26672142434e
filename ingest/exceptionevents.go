package ingest

import (
	"context"
	"encoding/json"
	"fmt"
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
	return &KafkaExceptions{w: &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond,
	}}
}

// PublishExceptions writes the exceptions; on error some may have been
// written, and a retry writes them again (consumers dedupe by id and
// state).
func (k *KafkaExceptions) PublishExceptions(ctx context.Context, list []schemas.Exception) error {
	msgs := make([]kafka.Message, len(list))
	for i := range list {
		v, err := json.Marshal(&list[i])
		if err != nil {
			return fmt.Errorf("encode exception %s: %w", list[i].ID, err)
		}
		msgs[i] = kafka.Message{Key: []byte(list[i].TrackingNumber), Value: v}
	}
	if err := k.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d exceptions: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the writer.
func (k *KafkaExceptions) Close() error { return k.w.Close() }
