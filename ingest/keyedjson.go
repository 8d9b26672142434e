package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// keyedWriter writes to topic by key (kafka.Hash: the records of one key,
// a tracking number, stay in one partition, in order) and waits for every
// in-sync replica's acknowledgement; zero batch settings take kafka-go's.
func keyedWriter(brokers []string, topic string, batchSize int, batchTimeout time.Duration) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    batchSize,
		BatchTimeout: batchTimeout,
	}
}

// publishJSON writes each record as JSON keyed by key(record); what names
// the records in errors ("exception", "milestone"). On error some may have
// been written, and a retry writes them again: consumers dedupe by id.
func publishJSON[T any](ctx context.Context, w *kafka.Writer, what string, records []T, key, id func(*T) string) error {
	msgs := make([]kafka.Message, len(records))
	for i := range records {
		v, err := json.Marshal(&records[i])
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", what, id(&records[i]), err)
		}
		msgs[i] = kafka.Message{Key: []byte(key(&records[i])), Value: v}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d %ss: %w", len(msgs), what, err)
	}
	return nil
}
