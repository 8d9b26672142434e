package milestones_test

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

// FuzzDetect reads a journey from carriers' scans as they come (any
// statuses, times and places, in any order): Detect returns each kind at
// most once, in the order of Kinds, each at a scan of the journey that
// reaches it and no later than the first such scan; whether a place is in
// the destination's area does not depend on which of the two is asked
// about.
func FuzzDetect(f *testing.F) {
	f.Add([]byte{1, 10, 0, 3, 20, 1, 5, 30, 2, 8, 40, 2}, "30301", "GA", "US", "80205", "CO", "US")
	f.Add([]byte{8, 40, 2, 1, 10, 0, 5, 30, 2, 3, 20, 1}, "", "SP", "BR", "", "sp", "br")
	f.Add([]byte{0, 0, 0, 9, 5, 1, 10, 8, 2}, "ec1a 1bb", "", "GB", "EC1A2AA", "", "GB")
	f.Fuzz(func(t *testing.T, raw []byte, p1, r1, c1, p2, r2, c2 string) {
		places := []schemas.Location{
			{PostalCode: p1, Region: r1, Country: c1},
			{PostalCode: p2, Region: r2, Country: c2, City: "x"},
			{PostalCode: p2, Region: r2, Country: c2},
		}
		if milestones.InDestinationArea(places[0], places[1]) != milestones.InDestinationArea(places[1], places[0]) {
			t.Fatalf("InDestinationArea not symmetric on %+v, %+v", places[0], places[1])
		}
		sh := predict.Shipment{Journey: model.Journey{Carrier: "ups", TrackingNumber: "1Z", Destination: places[2]}}
		base := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		for i := 0; i+2 < len(raw) && len(sh.Scans) < 64; i += 3 {
			st := schemas.Statuses[int(raw[i])%len(schemas.Statuses)]
			at := base.Add(time.Duration(raw[i+1]) * time.Hour)
			sh.Scans = append(sh.Scans, model.Scan{Time: at, Status: st})
			sh.Timeline = append(sh.Timeline, predict.TimelineScan{Time: at, Status: st, Location: places[int(raw[i+2])%len(places)]})
		}
		last := -1
		for _, r := range milestones.Detect(sh) {
			idx := -1
			for i, k := range milestones.Kinds {
				if k == r.Kind {
					idx = i
				}
			}
			if idx <= last {
				t.Fatalf("kind %s out of order or repeated", r.Kind)
			}
			last = idx
			found := false
			for _, sc := range sh.Timeline {
				if sc.Time.Equal(r.At) && sc.Location == r.Location {
					found = true
				}
			}
			if !found {
				t.Fatalf("%s at %v %+v: no such scan", r.Kind, r.At, r.Location)
			}
			for _, sc := range sh.Timeline {
				if string(sc.Status) == string(r.Kind) && sc.Time.Before(r.At) {
					t.Fatalf("%s at %v, after a scan of that status at %v", r.Kind, r.At, sc.Time)
				}
			}
		}
	})
}
