package model

import (
	"math"
	"testing"
)

// FuzzShortestWindow checks the window against a search of every run:
// within the day, holding the mass asked for when any run can, and no
// run shorter does.
func FuzzShortestWindow(f *testing.F) {
	f.Add([]byte{0, 0, 3, 9, 9, 2, 0, 1}, uint8(80), uint8(0))
	f.Add([]byte{1}, uint8(100), uint8(0))
	f.Add([]byte{}, uint8(50), uint8(0))
	f.Add([]byte{5, 0, 0, 0, 5}, uint8(90), uint8(20))
	f.Fuzz(func(t *testing.T, raw []byte, qPct, otherMass uint8) {
		bins := make([]float64, dayBins)
		var sum float64
		for i := range min(len(raw), dayBins) {
			bins[i] = float64(raw[i])
			sum += bins[i]
		}
		q := float64(min(qPct, 100)) / 100
		total := sum + float64(otherMass)
		start, end, mass, ok := shortestWindow(bins, total, q)
		if ok != (sum > 0) {
			t.Fatalf("ok %v with %v of mass in the bins", ok, sum)
		}
		if !ok {
			return
		}
		if start < 0 || end > dayBins || start >= end || math.IsNaN(mass) || mass < 0 || mass > 1+1e-9 {
			t.Fatalf("window [%d, %d) mass %v", start, end, mass)
		}
		var in float64
		for _, v := range bins[start:end] {
			in += v
		}
		if math.Abs(in/total-mass) > 1e-9 {
			t.Fatalf("window [%d, %d) says mass %v, holds %v", start, end, mass, in/total)
		}
		need := q*total - 1e-9*total
		shortest := -1
		for a := range dayBins {
			var s float64
			for b := a; b < dayBins; b++ {
				if s += bins[b]; s >= need {
					if n := b + 1 - a; shortest < 0 || n < shortest {
						shortest = n
					}
					break
				}
			}
		}
		switch {
		case shortest < 0 && bins[start] == 0:
			t.Fatalf("no run reaches %v: the span [%d, %d) should start on mass", q, start, end)
		case shortest >= 0 && in < need:
			t.Fatalf("window [%d, %d) holds %v, under %v", start, end, in, need)
		case shortest >= 0 && end-start != shortest:
			t.Fatalf("window [%d, %d) is %d bins, the shortest run is %d", start, end, end-start, shortest)
		}
	})
}
