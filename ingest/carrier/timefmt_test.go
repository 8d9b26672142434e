package carrier

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendTimeMatchesAppendFormat compares AppendTime with the standard
// library on random instants and offsets, including the edges.
func TestAppendTimeMatchesAppendFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	times := []time.Time{time.Unix(0, 0), time.Date(2026, 12, 31, 23, 59, 59, 999, time.UTC), time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 5000 {
		times = append(times, time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)))
	}
	offsets := []int{0, 60, -300, 330, 345, -570, 840, -720, 1, -1}
	for _, tm := range times {
		for _, off := range offsets {
			for layout, goLayout := range goLayouts {
				want := tm.In(time.FixedZone("", off*60)).AppendFormat(nil, goLayout)
				got := AppendTime([]byte{}, tm, off, TimeLayout(layout))
				if string(got) != string(want) {
					t.Fatalf("%s at %+d min in %q: got %q, want %q", tm.UTC(), off, goLayout, got, want)
				}
			}
		}
	}
}
