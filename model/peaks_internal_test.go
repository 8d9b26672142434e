package model

import (
	"math"
	"testing"
	"time"
)

// TestPeakWeeksFindsSlowWeekAndShrinksSparse plants a slow week and a
// one-shipment week among ordinary ones: the slow week's excess is found,
// the sparse week's shrinks to about 0, and a snapshot a year later reads
// the week before.
func TestPeakWeeksFindsSlowWeekAndShrinksSparse(t *testing.T) {
	w := newPeakWorker()
	const slow, sparse = 201647, 201650
	for wk := 201636; wk <= 201652; wk++ {
		n, mean := 200, math.Log1p(72)
		switch wk {
		case slow:
			mean = math.Log1p(144)
		case sparse:
			n, mean = 1, math.Log1p(72)+0.5
		}
		for i := range n {
			w.add(peakKey{"BR", wk}, mean+math.Sin(float64(i))) // noise of about zero mean
		}
	}
	p := w.finish()
	day := func(y, m, d int) int32 { return civilDay(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)) }
	cases := []struct {
		name     string
		week     int
		min, max float64
	}{
		{"planted slow week", slow, 0.5, 0.75},
		{"sparse week", sparse, -0.05, 0.05},
		{"ordinary week", 201640, -0.1, 0.02},
	}
	for _, c := range cases {
		got := p["BR"][c.week]
		if got < c.min || got > c.max {
			t.Errorf("%s %d: excess %.3f, want %.2f to %.2f", c.name, c.week, got, c.min, c.max)
		}
	}
	lookups := []struct {
		name    string
		country string
		day     int32
		want    float64
		held    bool
	}{
		{"a year after the slow week", "BR", day(2017, 11, 22), p["BR"][slow], true}, // 2017-W47
		{"the slow week itself reads 2015", "BR", day(2016, 11, 23), 0, false},
		{"another country", "US", day(2017, 11, 22), 0, false},
	}
	for _, c := range lookups {
		if got, held := p.excess(c.country, c.day); got != c.want || held != c.held {
			t.Errorf("%s: excess %.3f (held %v), want %.3f (%v)", c.name, got, held, c.want, c.held)
		}
	}
}

// The promise's spread by region: a region whose transit times spread
// more than the others gets a ratio above 1, a steadier one below, and a
// region of a few shipments stays near 1.
func TestPromiseSpreads(t *testing.T) {
	w := newPeakWorker()
	add := func(region string, n int, sd float64) {
		s := &peakSum{}
		for i := range n {
			y := 4 + sd*float64(1-2*(i%2)) // mean 4, standard deviation sd
			s.n, s.sum, s.sumSq = s.n+1, s.sum+y, s.sumSq+y*y
		}
		w.regions[region] = s
	}
	add("BR-SP", 2000, 0.3)
	add("BR-AM", 2000, 0.9)
	add("BR-AC", 4, 3)
	got := w.spreads()
	for _, tc := range []struct {
		region string
		lo, hi float64
	}{
		{"BR-SP", 0.3, 0.6},
		{"BR-AM", 1.2, 1.6},
		{"BR-AC", 1.5, 2.2}, // four shipments: its own ratio, 4.4, shrunk toward 1
	} {
		if v := got[tc.region]; v < tc.lo || v > tc.hi {
			t.Errorf("%s: spread ratio %.3f, want %.1f to %.1f", tc.region, v, tc.lo, tc.hi)
		}
	}
}
