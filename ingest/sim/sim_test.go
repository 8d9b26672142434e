package sim

import (
	"reflect"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

func all(cfg Config) []Shipment {
	g := New(cfg)
	var out []Shipment
	for {
		s, ok := g.Next()
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Shipments: 300}
	a, b := all(cfg), all(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different shipments")
	}
	c := all(Config{Seed: 43, Shipments: 300})
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same shipments")
	}
}

func TestJourneysAreConsistent(t *testing.T) {
	ships := all(Config{Seed: 7, Shipments: 2000})
	seen := map[string]bool{}
	var ground, air []float64
	for _, s := range ships {
		if seen[s.TrackingNumber] {
			t.Fatalf("tracking number %s used twice", s.TrackingNumber)
		}
		seen[s.TrackingNumber] = true
		if err := schemas.CheckTrackingNumber(s.TrackingNumber); err != nil {
			t.Fatalf("%s: %v", s.TrackingNumber, err)
		}
		for i, e := range s.Scans {
			if err := e.Validate(); err != nil {
				t.Fatalf("%s scan %d: %v", s.TrackingNumber, i, err)
			}
			if i > 0 && e.EventTime.Before(s.Scans[i-1].EventTime) {
				t.Fatalf("%s: scan %d (%s) before scan %d", s.TrackingNumber, i, e.Status, i-1)
			}
		}
		last := s.Scans[len(s.Scans)-1]
		if last.Status != schemas.StatusDelivered || !last.EventTime.Equal(s.DeliveredAt) {
			t.Fatalf("%s: last scan %s at %s, truth %s", s.TrackingNumber, last.Status, last.EventTime, s.DeliveredAt)
		}
		if s.Scans[0].Status != schemas.StatusInfoReceived {
			t.Fatalf("%s: first scan %s", s.TrackingNumber, s.Scans[0].Status)
		}
		days := s.DeliveredAt.Sub(s.Scans[1].EventTime).Hours() / 24
		if days <= 0 || days > 14 {
			t.Fatalf("%s: %.1f days from pickup to delivery", s.TrackingNumber, days)
		}
		if s.Scans[len(s.Scans)-1].Mode == "air" {
			air = append(air, days)
		} else {
			ground = append(ground, days)
		}
	}
	if mean(air) >= mean(ground) {
		t.Errorf("air services (%.2f days) not faster than ground (%.2f days)", mean(air), mean(ground))
	}
}

func TestNoDeliveryOnSunday(t *testing.T) {
	for _, s := range all(Config{Seed: 9, Shipments: 2000}) {
		last := s.Scans[len(s.Scans)-1]
		local := last.EventTime.In(time.FixedZone("", last.UTCOffsetMinutes*60))
		if local.Weekday() == time.Sunday {
			t.Fatalf("%s delivered on a Sunday (%s)", s.TrackingNumber, local)
		}
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
