package chstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// A reused tracking number is several journeys in the trainer's history
// and in the journey predict answers for: split by the carrier's shipment
// key where it sends one, else by a new label or pickup after a delivery
// or after a long silence. Each journey keeps its own scans and places.
func TestHistoryReusedNumbers(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	t0 := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	type scan struct {
		at     time.Duration
		status schemas.Status
	}
	journey := func(carrier, number, key, origin, dest string, start time.Duration, scans ...scan) []schemas.ScanEvent {
		var out []schemas.ScanEvent
		for _, s := range scans {
			e := schemas.ScanEvent{TrackingNumber: number, Carrier: carrier, ShipmentKey: key, Service: "ground",
				Status: s.status, EventTime: t0.Add(start + s.at), UTCOffsetMinutes: -300,
				Origin:      schemas.Location{Region: origin, Country: "US"},
				Destination: schemas.Location{Region: dest, Country: "US"},
				Location:    schemas.Location{Region: origin, Country: "US"},
			}
			e.EventID = schemas.ComputeEventID(&e)
			out = append(out, e)
		}
		return out
	}
	trip := []scan{{0, schemas.StatusInfoReceived}, {day, schemas.StatusPickedUp}, {2 * day, schemas.StatusInTransit},
		{3 * day, schemas.StatusDelivered}}
	var events []schemas.ScanEvent
	// A UPS number delivered, then a new label nine days after the delivery.
	events = append(events, journey("ups", "1Z999AA10123456784", "", "NY", "IL", 0, trip...)...)
	events = append(events, journey("ups", "1Z999AA10123456784", "", "TX", "CA", 12*day, trip...)...)
	// A USPS number whose first shipment never got a delivery scan, then a
	// pickup 41 days after its last scan.
	events = append(events, journey("usps", "9400100000000000000000", "", "WA", "OR", 0, trip[:3]...)...)
	events = append(events, journey("usps", "9400100000000000000000", "", "FL", "GA", 42*day, trip[1:]...)...)
	// A FedEx number carrying two shipments at once, each with its unique
	// id: the same scans at the same times are two journeys.
	events = append(events, journey("fedex", "799531274483", "2460~799531274483~FDEG", "TN", "CO", 2*day, trip...)...)
	events = append(events, journey("fedex", "799531274483", "2461~799531274483~FDEG", "TN", "GA", 2*day, trip...)...)
	// A number with one journey.
	events = append(events, journey("ups", "1Z999AA10123456793", "", "OH", "MI", day, trip...)...)
	// A slow journey: picked up the day after its label, then silent for
	// longer than JourneyGap, several chunks on: in transit on day 42,
	// delivered on day 50.
	events = append(events, journey("acme", "ACME0000000001", "", "NV", "AZ", 3*day,
		scan{0, schemas.StatusInfoReceived}, scan{day, schemas.StatusPickedUp}, scan{39 * day, schemas.StatusInTransit},
		scan{47 * day, schemas.StatusDelivered})...)
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	h := chstore.NewHistory(db)

	type got struct {
		number, key, origin, dest string
		first                     time.Duration
		scans                     int
	}
	read := func(from, to time.Time) []got {
		var out []got
		err := h.Delivered(ctx, from, to, to.Add(30*day), func(j *model.Journey) error {
			out = append(out, got{j.TrackingNumber, j.ShipmentKey, j.Origin.Region, j.Destination.Region, j.Scans[0].Time.Sub(t0), len(j.Scans)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(out, func(a, b got) int {
			if a.number+a.key+a.origin < b.number+b.key+b.origin {
				return -1
			}
			return 1
		})
		return out
	}
	all := read(t0, t0.Add(100*day))
	want := []got{
		{"1Z999AA10123456784", "", "NY", "IL", 0, 4},
		{"1Z999AA10123456784", "", "TX", "CA", 12 * day, 4},
		{"1Z999AA10123456793", "", "OH", "MI", day, 4},
		{"799531274483", "2460~799531274483~FDEG", "TN", "CO", 2 * day, 4},
		{"799531274483", "2461~799531274483~FDEG", "TN", "GA", 2 * day, 4},
		{"9400100000000000000000", "", "FL", "GA", 43 * day, 3},
		{"ACME0000000001", "", "NV", "AZ", 3 * day, 4},
	}
	if !slices.Equal(all, want) {
		t.Errorf("delivered journeys\n got %v\nwant %v", all, want)
	}
	// Read in chunks of first scans, a journey whose scans cross a chunk's
	// end, and a number reused in another chunk, are each given once.
	// With a horizon of a day or two after each chunk, the journeys
	// delivered later (the slow one, the reused numbers' second ones) are
	// read by the second query; with none, by the first.
	for _, horizon := range []time.Duration{0, day, 2 * day, 60 * day} {
		h.SetHorizon(horizon)
		for _, chunk := range []time.Duration{day, 2 * day, 5 * day, 13 * day} {
			h.SetChunk(chunk)
			if got := read(t0, t0.Add(100*day)); !slices.Equal(got, want) {
				t.Errorf("delivered journeys in chunks of %s, horizon %s\n got %v\nwant %v", chunk, horizon, got, want)
			}
		}
	}
	h.SetChunk(0)
	if got := read(t0, t0.Add(100*day)); !slices.Equal(got, want) {
		t.Errorf("delivered journeys in one query\n got %v\nwant %v", got, want)
	}
	// A slice that starts after a number's first journey holds its second
	// only, not the first's tail nor a merge of both.
	// The slow journey, begun before, is not given as its delivery alone.
	if late := read(t0.Add(5*day), t0.Add(100*day)); !slices.Equal(late, []got{want[1], want[5]}) {
		t.Errorf("journeys from day 5\n got %v\nwant %v", late, []got{want[1], want[5]})
	}
	// Nor from day 40, when its label and pickup are over JourneyGap
	// before the slice.
	if late := read(t0.Add(40*day), t0.Add(100*day)); !slices.Equal(late, []got{want[5]}) {
		t.Errorf("journeys from day 40\n got %v\nwant %v", late, []got{want[5]})
	}
	// In flight on day 45, the slow journey is one of the slice it began
	// in (label, pickup, in transit), and not of a later one.
	flying := func(from time.Time) (out []string) {
		err := h.InFlight(ctx, from, t0.Add(100*day), t0.Add(45*day), func(j *model.Journey) error {
			out = append(out, fmt.Sprintf("%s %s %d", j.TrackingNumber, j.Scans[0].Time.Sub(t0), len(j.Scans)))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	usps := []string{"9400100000000000000000 0s 3", "9400100000000000000000 1032h0m0s 2"}
	if got, want := flying(t0), append(usps, "ACME0000000001 72h0m0s 3"); !slices.Equal(got, want) {
		t.Errorf("in flight on day 45: %v, want %v", got, want)
	}
	if got := flying(t0.Add(40 * day)); !slices.Equal(got, usps[1:]) {
		t.Errorf("in flight on day 45 of journeys begun from day 40: %v, want %v", got, usps[1:])
	}

	w, n, err := h.Split(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) || !w.TrainFrom.Equal(t0) || !w.TestTo.Equal(t0.Add(43*day+time.Second)) {
		t.Errorf("split of %d journeys from %s to %s, want %d from %s to %s", n, w.TrainFrom, w.TestTo,
			len(want), t0, t0.Add(43*day+time.Second))
	}

	j, ok, err := h.Journey(ctx, "1Z999AA10123456784")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if j.Origin.Region != "TX" || len(j.Scans) != 4 || !j.Scans[0].Time.Equal(t0.Add(12*day)) {
		t.Errorf("latest journey of a reused number: from %s, %d scans from %s", j.Origin.Region, len(j.Scans), j.Scans[0].Time)
	}
	j, _, _ = h.Journey(ctx, "799531274483")
	if j.ShipmentKey != "2461~799531274483~FDEG" || len(j.Scans) != 4 {
		t.Errorf("latest of two shipments at once: key %q, %d scans", j.ShipmentKey, len(j.Scans))
	}
}
