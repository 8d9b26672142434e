package model

import (
	"math/rand/v2"
	"testing"
)

// TestCommitLevel replays spans of weekly residuals: a history whose
// weeks are alike keeps the target, one whose weeks shift needs a higher
// level, and one too short to replay a span gives none.
func TestCommitLevel(t *testing.T) {
	weeks := func(n int, shift func(w int) float64) map[int64]*hist {
		r := rand.New(rand.NewPCG(1, 2))
		out := map[int64]*hist{}
		for w := range n {
			h := newResidualHist()
			for range 400 {
				h.add(r.NormFloat64()*0.3+shift(w), 1)
			}
			out[int64(w)] = h
		}
		return out
	}
	steady := func(int) float64 { return 0 }
	// Every fourth week 0.3 slower: a quarter of the spans replayed meet
	// a slow week the span before did not hold in the same share.
	lumpy := func(w int) float64 {
		if w%4 == 3 {
			return 0.3
		}
		return 0
	}
	for _, tc := range []struct {
		name        string
		weeks       map[int64]*hist
		calib, test int
		lo, hi      float64
	}{
		{"steady", weeks(40, steady), 4, 2, 0.95, 0.956},
		{"lumpy", weeks(40, lumpy), 2, 2, 0.97, maxCommitLevel},
		{"too short", weeks(3, steady), 4, 2, 0, 0},
		{"no span", weeks(40, steady), 0, 2, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := commitLevel(tc.weeks, 0.95, tc.calib, tc.test)
			t.Logf("commit level %.3f", l)
			if l < tc.lo || l > tc.hi {
				t.Errorf("commit level %.3f, want %.3f to %.3f", l, tc.lo, tc.hi)
			}
		})
	}
}

func TestHistBelow(t *testing.T) {
	h := newHist(0, 10, 1)
	for _, v := range []float64{0.5, 1.5, 1.5, 2.5} {
		h.add(v, 1)
	}
	for _, tc := range []struct{ v, want float64 }{{-1, 0}, {0, 0}, {1, 1}, {1.5, 2}, {2, 3}, {3, 4}, {20, 4}} {
		if got := h.below(tc.v); got != tc.want {
			t.Errorf("below(%g) = %g, want %g", tc.v, got, tc.want)
		}
	}
	// quantile and below agree.
	for _, q := range []float64{0.1, 0.4, 0.6, 0.9} {
		if got := h.below(h.quantile(q)) / h.total; got < q-1e-9 || got > q+1e-9 {
			t.Errorf("below(quantile(%g)) = %g of the total", q, got)
		}
	}
}
