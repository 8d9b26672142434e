package chstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestInstructions stores instructions and a cancellation, and reads
// back each as it stands, the cancellation winning, oldest first, none
// created before since.
func TestInstructions(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	s := chstore.NewInstructions(db)
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	addr := &schemas.Address{Line1: "1 Main St", City: "Oakland", Region: "CA", PostalCode: "94607", Country: "US"}
	cancelled := t0.Add(2 * time.Hour)
	for _, tc := range []struct {
		name string
		puts []schemas.Instruction
	}{
		{"one of each kind", []schemas.Instruction{
			{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionPending, TrackingNumber: "1ZA", Carrier: "ups",
				ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), IdempotencyKey: "k1", RequestHash: "h1"},
			{ID: "ins_b", Type: schemas.InstructionReschedule, State: schemas.InstructionPending, TrackingNumber: "7B", Carrier: "fedex",
				ShipmentKey: "k~7B", ShipmentStart: t0, Date: "2026-11-30", CreatedAt: t0.Add(90 * time.Minute), IdempotencyKey: "k2", RequestHash: "h2"},
			{ID: "ins_old", Type: schemas.InstructionReturnToSender, State: schemas.InstructionPending, TrackingNumber: "1ZO", Carrier: "ups",
				ShipmentStart: t0, CreatedAt: t0.Add(-48 * time.Hour), IdempotencyKey: "k3", RequestHash: "h3"},
		}},
		{"cancelled", []schemas.Instruction{
			{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionCancelled, TrackingNumber: "1ZA", Carrier: "ups",
				ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), CancelledAt: &cancelled, IdempotencyKey: "k1", RequestHash: "h1"},
		}},
	} {
		for i, in := range tc.puts {
			at := in.CreatedAt
			if in.CancelledAt != nil {
				at = *in.CancelledAt
			}
			if err := s.PutInstruction(ctx, in, at); err != nil {
				t.Fatalf("%s: put %d: %v", tc.name, i, err)
			}
		}
	}
	var got []schemas.Instruction
	if err := s.Since(ctx, t0.Add(-time.Hour), func(in schemas.Instruction) error { got = append(got, in); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []schemas.Instruction{
		{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionCancelled, TrackingNumber: "1ZA", Carrier: "ups",
			ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), CancelledAt: &cancelled, IdempotencyKey: "k1", RequestHash: "h1"},
		{ID: "ins_b", Type: schemas.InstructionReschedule, State: schemas.InstructionPending, TrackingNumber: "7B", Carrier: "fedex",
			ShipmentKey: "k~7B", ShipmentStart: t0, Date: "2026-11-30", CreatedAt: t0.Add(90 * time.Minute), IdempotencyKey: "k2", RequestHash: "h2"},
	}
	for i := range got {
		got[i].ShipmentStart, got[i].CreatedAt = got[i].ShipmentStart.UTC(), got[i].CreatedAt.UTC()
		if got[i].CancelledAt != nil {
			c := got[i].CancelledAt.UTC()
			got[i].CancelledAt = &c
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}
