package live_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestEach(t *testing.T) {
	cases := map[string]struct {
		numbers   int
		stopAfter int // 0: never stop
		want      int
	}{
		"empty":            {numbers: 0, want: 0},
		"one":              {numbers: 1, want: 1},
		"every one once":   {numbers: 300, want: 300},
		"stops when false": {numbers: 300, stopAfter: 7, want: 7},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, live.Options{})
			var evs []schemas.ScanEvent
			for i := range c.numbers {
				n := fmt.Sprintf("1ZEACH%08d", i)
				evs = append(evs, ev(n, 0, schemas.StatusPickedUp), ev(n, day, schemas.StatusInTransit))
			}
			s.Apply(evs)
			seen := map[string]int{}
			var got []string
			s.Each(func(sh predict.Shipment) bool {
				seen[sh.TrackingNumber]++
				got = append(got, sh.TrackingNumber)
				if len(sh.Scans) != 2 || len(sh.Timeline) != 2 {
					t.Errorf("%s: %d scans, %d timeline entries, want 2 and 2", sh.TrackingNumber, len(sh.Scans), len(sh.Timeline))
				}
				return c.stopAfter == 0 || len(got) < c.stopAfter
			})
			if len(got) != c.want {
				t.Fatalf("Each called fn %d times, want %d", len(got), c.want)
			}
			sort.Strings(got)
			for n, k := range seen {
				if k != 1 {
					t.Errorf("%s seen %d times", n, k)
				}
			}
		})
	}
}
