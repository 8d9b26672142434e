package chstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// InFlight hands out the journeys of a slice not delivered before the
// cut-off, with their scans before it only: nothing from the cut-off on.
func TestHistoryInFlight(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	t0 := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	statuses := []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp, schemas.StatusInTransit, schemas.StatusDelivered}
	// journey's scans are a day apart from start; n of them.
	journey := func(number string, start time.Duration, n int) []schemas.ScanEvent {
		var out []schemas.ScanEvent
		for i := range n {
			e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: statuses[i],
				EventTime: t0.Add(start + time.Duration(i)*day), UTCOffsetMinutes: -300,
				Origin: schemas.Location{Region: "NY", Country: "US"}, Destination: schemas.Location{Region: "IL", Country: "US"},
				Location: schemas.Location{Region: "NY", Country: "US"}}
			e.EventID = schemas.ComputeEventID(&e)
			out = append(out, e)
		}
		return out
	}
	var events []schemas.ScanEvent
	events = append(events, journey("1Z0000000000000001", 0, 4)...)     // delivered on day 3, before the cut-off
	events = append(events, journey("1Z0000000000000002", 2*day, 4)...) // delivered on day 5, after it
	events = append(events, journey("1Z0000000000000003", 3*day, 3)...) // never delivered
	events = append(events, journey("1Z0000000000000004", 5*day, 4)...) // first scanned after the slice
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	cutOff := t0.Add(4*day + time.Hour)
	type got struct {
		number string
		scans  int
	}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []got
	}{
		{"slice before the cut-off", t0, t0.Add(4 * day), []got{{"1Z0000000000000002", 3}, {"1Z0000000000000003", 2}}},
		{"slice from day 3", t0.Add(3 * day), t0.Add(4 * day), []got{{"1Z0000000000000003", 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out []got
			err := chstore.NewHistory(db).InFlight(ctx, tc.from, tc.to, cutOff, func(j *model.Journey) error {
				for _, sc := range j.Scans {
					if !sc.Time.Before(cutOff) {
						t.Errorf("%s: scan %s at %s, after the cut-off %s", j.TrackingNumber, sc.Status, sc.Time, cutOff)
					}
				}
				out = append(out, got{j.TrackingNumber, len(j.Scans)})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(out, func(a, b got) int {
				if a.number < b.number {
					return -1
				}
				return 1
			})
			if !slices.Equal(out, tc.want) {
				t.Errorf("in flight at %s\n got %v\nwant %v", cutOff, out, tc.want)
			}
		})
	}
}
