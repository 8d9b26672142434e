package chstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestMilestones writes milestones, one of them twice, and reads back
// those detected since an instant: one per id, the shipment's start to
// the nanosecond (the id is computed from it).
func TestMilestones(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	s := chstore.NewMilestones(db)
	start := time.Date(2026, 11, 2, 8, 0, 0, 123456789, time.UTC)
	at := time.Date(2026, 11, 3, 9, 30, 0, 0, time.UTC)
	ms := []schemas.Milestone{
		{ID: "ms_a", Kind: schemas.MilestoneShipped, TrackingNumber: "1Z1", Carrier: "ups", ShipmentStart: start, At: at,
			Location: schemas.Location{City: "Atlanta", Region: "GA", PostalCode: "30301", Country: "US"},
			OrderRef: "o-1", CustomerRef: "c-1", DetectedAt: at.Add(time.Minute)},
		{ID: "ms_b", Kind: schemas.MilestoneDelivered, TrackingNumber: "1Z1", Carrier: "ups", ShipmentKey: "k",
			ShipmentStart: start, At: at.Add(24 * time.Hour), DetectedAt: at.Add(25 * time.Hour)},
		{ID: "ms_old", Kind: schemas.MilestoneShipped, TrackingNumber: "1Z2", Carrier: "ups", ShipmentStart: start.Add(-90 * 24 * time.Hour),
			At: at.Add(-90 * 24 * time.Hour), DetectedAt: at.Add(-90 * 24 * time.Hour)},
	}
	if err := s.RecordMilestones(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordMilestones(ctx, ms[:1]); err != nil { // published twice, recorded twice
		t.Fatal(err)
	}
	if err := s.RecordMilestones(ctx, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"every one", time.Time{}, []string{"ms_a", "ms_b", "ms_old"}},
		{"within the horizon", at.Add(-24 * time.Hour), []string{"ms_a", "ms_b"}},
		{"none yet", at.Add(48 * time.Hour), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]schemas.Milestone{}
			if err := s.PublishedMilestones(ctx, c.since, func(m schemas.Milestone) error {
				if _, dup := got[m.ID]; dup {
					t.Errorf("milestone %s read twice", m.ID)
				}
				got[m.ID] = m
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("read %d milestones, want %v", len(got), c.want)
			}
			for _, id := range c.want {
				m, ok := got[id]
				if !ok {
					t.Fatalf("milestone %s not read", id)
				}
				for _, w := range ms {
					if w.ID == id && !equalMilestone(m, w) {
						t.Errorf("read %+v, wrote %+v", m, w)
					}
				}
			}
		})
	}
	stop := errors.New("stop")
	if err := s.PublishedMilestones(ctx, time.Time{}, func(schemas.Milestone) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: got %v", err)
	}
}

func equalMilestone(a, b schemas.Milestone) bool {
	return a.ID == b.ID && a.Kind == b.Kind && a.TrackingNumber == b.TrackingNumber && a.Carrier == b.Carrier &&
		a.ShipmentKey == b.ShipmentKey && a.ShipmentStart.Equal(b.ShipmentStart) && a.At.Equal(b.At) &&
		a.Location == b.Location && a.OrderRef == b.OrderRef && a.CustomerRef == b.CustomerRef && a.DetectedAt.Equal(b.DetectedAt)
}
