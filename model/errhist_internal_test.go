package model

import (
	"math"
	"testing"
)

// The plotted histogram spans the errors but their outer 0.5% on either
// side, in at most errBins bins of a round width, and counts every error.
func TestErrorHistogramScalesToTheErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		lo, hi float64 // errors spread evenly over [lo, hi) hours
		width  float64
	}{
		{"hours", -10, 10, 1},
		{"days", -72, 48, 3},
		{"weeks late", -20 * 24, 2 * 24, 24},
		{"beyond the hourly bins", -200 * 24, 0, 72},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := newBacktest()
			const n = 10000
			levels := make([]float64, len(ResidualLevels))
			for i := range n {
				e := tt.lo + (tt.hi-tt.lo)*(float64(i)+0.5)/n
				actual := 10000.0
				for k := range levels {
					levels[k] = toTarget(actual+e, 1)
				}
				b.add("c", "s", actual, levels, levels[levelP95], 1, perBaseline{})
			}
			h := b.errHist.scaled()
			sum := 0
			for _, c := range h.Counts {
				sum += c
			}
			from, to := h.From, h.From+h.Width*float64(len(h.Counts))
			t.Logf("%d bins of %g h, %g to %g h", len(h.Counts), h.Width, from, to)
			if sum != n || len(h.Counts) > errBins || h.Width != tt.width {
				t.Errorf("%d bins of %g h count %d errors; want at most %d of %g h counting %d", len(h.Counts), h.Width, sum, errBins, tt.width, n)
			}
			lo, hi := max(tt.lo, -errSpanHours), tt.hi
			if from > lo+errTail*(hi-lo)+1 || to < hi-errTail*(hi-lo)-1 || from < lo-h.Width || to > hi+h.Width+1 {
				t.Errorf("bins span %g to %g h, the errors %g to %g h", from, to, lo, hi)
			}
			if math.Mod(h.From, h.Width) != 0 {
				t.Errorf("first bin at %g h, not a multiple of its width %g h", h.From, h.Width)
			}
		})
	}
}
