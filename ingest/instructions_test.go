package ingest_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

// Instructions are published keyed by tracking number, as their JSON
// record, in order within a shipment.
func TestKafkaInstructions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic := testenv.RandomName("instructions_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaInstructions(env.Kafka.Brokers, topic)
	defer pub.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	cancelledAt := t0.Add(time.Hour)
	sent := []schemas.Instruction{
		{ID: "ins_1", Type: schemas.InstructionReschedule, State: schemas.InstructionPending, TrackingNumber: "1ZA", Carrier: "ups",
			ShipmentStart: t0, Date: "2026-12-03", CreatedAt: t0, IdempotencyKey: "k1"},
		{ID: "ins_1", Type: schemas.InstructionReschedule, State: schemas.InstructionCancelled, TrackingNumber: "1ZA", Carrier: "ups",
			ShipmentStart: t0, Date: "2026-12-03", CreatedAt: t0, CancelledAt: &cancelledAt, IdempotencyKey: "k1"},
		{ID: "ins_2", Type: schemas.InstructionHoldAtLocation, State: schemas.InstructionPending, TrackingNumber: "7B", Carrier: "fedex",
			ShipmentStart: t0, CreatedAt: t0, IdempotencyKey: "k2",
			PickupPoint: &schemas.PickupPoint{ID: "P1", Address: schemas.Address{Line1: "1 Main St", City: "Oakland", PostalCode: "94607", Country: "US"}}},
	}
	for _, in := range sent {
		if err := pub.PublishInstruction(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][]schemas.Instruction{}
	for p := range 3 {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: p})
		last, err := kafka.DialLeader(ctx, "tcp", env.Kafka.Brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		end, err := last.ReadLastOffset()
		_ = last.Close()
		if err != nil {
			t.Fatal(err)
		}
		for range end {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var in schemas.Instruction
			if err := json.Unmarshal(m.Value, &in); err != nil {
				t.Fatal(err)
			}
			if string(m.Key) != in.TrackingNumber {
				t.Errorf("key %q for %s", m.Key, in.TrackingNumber)
			}
			got[in.TrackingNumber] = append(got[in.TrackingNumber], in)
		}
		_ = r.Close()
	}
	for _, tc := range []struct {
		tn   string
		want []schemas.Instruction
	}{{"1ZA", sent[:2]}, {"7B", sent[2:]}} {
		g := got[tc.tn]
		for i := range g {
			g[i].CreatedAt, g[i].ShipmentStart = g[i].CreatedAt.UTC(), g[i].ShipmentStart.UTC()
			if g[i].CancelledAt != nil {
				c := g[i].CancelledAt.UTC()
				g[i].CancelledAt = &c
			}
		}
		if !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.tn, g, tc.want)
		}
	}
}

func TestDecodeInstruction(t *testing.T) {
	tests := []struct {
		name, value, err string
	}{
		{"pending", `{"id":"ins_1","type":"reschedule","state":"pending","tracking_number":"1Z999AA10123456784","date":"2026-12-03"}`, ""},
		{"cancelled", `{"id":"ins_1","type":"return_to_sender","state":"cancelled","tracking_number":"1Z999AA10123456784"}`, ""},
		{"not JSON", `{"id":`, "decode instruction"},
		{"no id", `{"type":"reschedule","state":"pending","tracking_number":"1Z"}`, "without an id"},
		{"no number", `{"id":"ins_1","type":"reschedule","state":"pending"}`, "without an id or a tracking number"},
		{"unknown type", `{"id":"ins_1","type":"teleport","state":"pending","tracking_number":"1Z"}`, "unknown type"},
		{"unknown state", `{"id":"ins_1","type":"redirect","state":"done","tracking_number":"1Z"}`, "unknown state"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ingest.DecodeInstruction([]byte(tc.value))
			if tc.err == "" {
				if err != nil || in.ID != "ins_1" {
					t.Fatalf("%+v %v", in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one with %q", err, tc.err)
			}
		})
	}
}

func FuzzDecodeInstruction(f *testing.F) {
	f.Add([]byte(`{"id":"ins_1","type":"reschedule","state":"pending","tracking_number":"1Z999AA10123456784","date":"2026-12-03"}`))
	f.Add([]byte(`{"id":"ins_2","type":"redirect","state":"cancelled","tracking_number":"1Z","address":{"line1":"1 Main St"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ingest.DecodeInstruction(data)
		if err != nil {
			return
		}
		if in.ID == "" || in.TrackingNumber == "" || !in.Type.Valid() ||
			(in.State != schemas.InstructionPending && in.State != schemas.InstructionCancelled) {
			t.Fatalf("accepted an invalid instruction: %+v", in)
		}
	})
}
