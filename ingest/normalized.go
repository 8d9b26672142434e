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
	return &KafkaEvents{w: keyedWriter(brokers, topic, 1000, 5*time.Millisecond)}
}

// PublishEvents writes events; on error some may have been written, and a
// retry writes them again (consumers dedupe by event_id). Keys and values
// are written into shared chunks of memory, not an allocation each: a
// batch is tens of thousands of events.
func (k *KafkaEvents) PublishEvents(ctx context.Context, events []schemas.ScanEvent) error {
	msgs := make([]kafka.Message, len(events))
	var buf []byte
	for i := range events {
		if cap(buf)-len(buf) < publishRoom {
			buf = make([]byte, 0, publishChunk) // the messages before keep the chunk they are in
		}
		start := len(buf)
		buf = append(buf, events[i].TrackingNumber...)
		key := len(buf)
		var err error
		if buf, err = json.Append(buf, &events[i], json.EscapeHTML|json.SortMapKeys); err != nil { // as json.Marshal
			return fmt.Errorf("encode event %s: %w", events[i].EventID, err)
		}
		msgs[i] = kafka.Message{Key: buf[start:key:key], Value: buf[key:len(buf):len(buf)]}
	}
	if err := k.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("publish %d normalized events: %w", len(msgs), err)
	}
	return nil
}

// publishChunk is the memory PublishEvents writes messages into, a chunk
// at a time; it starts a new one when less than publishRoom is left (an
// event's JSON is under 1 KB).
const (
	publishChunk = 256 << 10
	publishRoom  = 4 << 10
)

// Close flushes and closes the writer.
func (k *KafkaEvents) Close() error { return k.w.Close() }
