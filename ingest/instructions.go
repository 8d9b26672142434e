package ingest

import (
	"context"
	"errors"
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

// DecodeInstruction reads one record of the instructions topic: an
// instruction with an id, a tracking number, a known type and state.
func DecodeInstruction(value []byte) (schemas.Instruction, error) {
	var in schemas.Instruction
	if err := json.Unmarshal(value, &in); err != nil {
		return schemas.Instruction{}, fmt.Errorf("decode instruction: %w", err)
	}
	switch {
	case in.ID == "" || in.TrackingNumber == "":
		return schemas.Instruction{}, errors.New("instruction without an id or a tracking number")
	case !in.Type.Valid():
		return schemas.Instruction{}, fmt.Errorf("instruction %s: unknown type %q", in.ID, in.Type)
	case in.State != schemas.InstructionPending && in.State != schemas.InstructionCancelled:
		return schemas.Instruction{}, fmt.Errorf("instruction %s: unknown state %q", in.ID, in.State)
	}
	return in, nil
}

// Close flushes and closes the writer.
func (k *KafkaInstructions) Close() error { return k.w.Close() }
