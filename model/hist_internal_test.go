package model

import (
	"math"
	"testing"
)

func TestHistEffectiveN(t *testing.T) {
	for _, tc := range []struct {
		name    string
		weights []float64
		scale   float64 // merged into an empty histogram at this scale when set
		want    float64
	}{
		{"empty", nil, 0, 0},
		{"unweighted", []float64{1, 1, 1, 1, 1}, 0, 5},
		{"weights 1 and 3", []float64{1, 3}, 0, 16.0 / 10},
		{"scaled: the same values", []float64{1, 1, 1, 1}, 2.5, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newResidualHist()
			for i, w := range tc.weights {
				h.add(float64(i)*0.1, w)
			}
			if tc.scale != 0 {
				s := newResidualHist()
				s.mergeScaled(h, tc.scale)
				h = s
			}
			if got := h.effectiveN(); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("effective n %g, want %g (total %g)", got, tc.want, h.total)
			}
		})
	}
}
