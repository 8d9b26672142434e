package ingest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

// The scanner publishes through the Kafka publisher.
var _ exceptions.Publisher = (*ingest.KafkaExceptions)(nil)

// Exceptions reach the topic as JSON keyed by tracking number, a
// shipment's in order in one partition.
func TestKafkaExceptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topic := testenv.RandomName("exceptions.")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, topic); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaExceptions(env.Kafka.Brokers, topic)
	defer pub.Close()
	at := time.Date(2026, 11, 18, 14, 0, 0, 0, time.UTC)
	open := schemas.Exception{ID: "e1", Type: exceptions.Stalled, State: schemas.ExceptionOpen, TrackingNumber: "1ZA",
		Carrier: "ups", ShipmentStart: at.Add(-time.Hour), Reason: "no scan for 2 days", OpenedAt: at}
	resolved := open
	resolvedAt := at.Add(time.Hour)
	resolved.State, resolved.ResolvedAt = schemas.ExceptionResolved, &resolvedAt
	other := open
	other.ID, other.TrackingNumber = "e2", "1ZB"
	sent := []schemas.Exception{open, other, resolved}
	if err := pub.PublishExceptions(ctx, sent); err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for i, want := range sent {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got schemas.Exception
		if err := json.Unmarshal(m.Value, &got); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if string(m.Key) != want.TrackingNumber || got.ID != want.ID || got.State != want.State || got.Reason != want.Reason {
			t.Errorf("message %d: key %s, %+v; want %+v", i, m.Key, got, want)
		}
		if (got.ResolvedAt == nil) != (want.ResolvedAt == nil) {
			t.Errorf("message %d: resolved_at %v, want %v", i, got.ResolvedAt, want.ResolvedAt)
		}
	}
}
