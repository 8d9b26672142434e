package live_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestEach(t *testing.T) {
	cases := []struct {
		name       string
		numbers    int
		stopAfter  int // 0: never stop
		wantCalled int
	}{
		{"empty", 0, 0, 0},
		{"every shipment", 300, 0, 300},
		{"stopped early", 300, 7, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t, live.Options{})
			var events []schemas.ScanEvent
			for i := range c.numbers {
				events = append(events, ev(fmt.Sprintf("1Z999AA1%010d", i), time.Hour, schemas.StatusInTransit))
			}
			s.Apply(events)
			seen := map[string]int{}
			called := 0
			s.Each(func(sh predict.Shipment) bool {
				called++
				seen[sh.TrackingNumber]++
				if len(sh.Scans) != 1 {
					t.Errorf("%s: %d scans, want 1", sh.TrackingNumber, len(sh.Scans))
				}
				return c.stopAfter == 0 || called < c.stopAfter
			})
			if called != c.wantCalled || len(seen) != c.wantCalled {
				t.Fatalf("Each called %d times on %d numbers, want %d", called, len(seen), c.wantCalled)
			}
		})
	}
}
