package ingest

import (
	"context"
	"fmt"

	"github.com/segmentio/encoding/json"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// KafkaInstructions publishes delivery instructions as JSON
// (schemas.Instruction) for the carrier integration, keyed by tracking
// number so a shipment's instructions stay in order in one partition,
// and waits for the broker's acknowledgement.
type KafkaInstructions struct {
	w *kafka.Writer
}

// NewKafkaInstructions returns a publisher to topic on brokers
// (schemas.InstructionsTopic in production).
func NewKafkaInstructions(brokers []string, topic string) *KafkaInstructions {
	// One instruction per request: written at once, not batched.
	return &KafkaInstructions{w: keyedWriter(brokers, topic, 1, 0)}
}

// PublishInstruction writes one instruction; a retry after an error may
// write it twice, and consumers dedupe by id and state.
func (k *KafkaInstructions) PublishInstruction(ctx context.Context, in schemas.Instruction) error {
	value, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode instruction %s: %w", in.ID, err)
	}
	if err := k.w.WriteMessages(ctx, kafka.Message{Key: []byte(in.TrackingNumber), Value: value}); err != nil {
		return fmt.Errorf("publish instruction %s: %w", in.ID, err)
	}
	return nil
}

// Close flushes and closes the writer.
func (k *KafkaInstructions) Close() error { return k.w.Close() }
