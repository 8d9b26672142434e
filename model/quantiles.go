package model

import (
	"math"
	"time"
)

// Quantiles writes the hours to delivery from snapshot s at each of
// levels (in (0, 1)) into out, which must be as long. Levels between two
// of ResidualLevels are interpolated linearly in normal scores on the
// fit's target scale (p97 and p99 are residual levels of their own);
// levels beyond the outermost extend the outermost two the same way. At
// the model's promise target the answer is the commit (Predict's P95).
// The result never decreases with the level.
func (m *Model) Quantiles(s Snapshot, levels, out []float64) {
	var row Row
	var y [len(ResidualLevels)]float64
	m.enc.Encode(&s, &row)
	f := m.fitFor(&s)
	keys := laneKeysOfSnapshot(&s)
	est, sg := f.predictLog(&row, &keys, &s, nil, y[:])
	commit := fromTarget(m.commitLog(f, est, &s, sg, y[:]), f.TargetScale)
	prev := 0.0
	for i, l := range levels {
		h := fromTarget(interpolateLevel(y[:], l), f.TargetScale)
		if l == m.target() { // the commit, as Predict gives it
			h = commit
		}
		if i > 0 && levels[i-1] <= l {
			h = math.Max(h, prev)
		}
		out[i], prev = h, h
	}
}

// interpolateLevel is the value at level l of y, given at ResidualLevels.
func interpolateLevel(y []float64, l float64) float64 {
	n := len(ResidualLevels)
	j := 1 // the upper of the two levels used
	for j < n-1 && ResidualLevels[j] < l {
		j++
	}
	za, zb := normalScore(ResidualLevels[j-1]), normalScore(ResidualLevels[j])
	z := normalScore(l)
	return y[j-1] + (y[j]-y[j-1])*(z-za)/(zb-za)
}

// normalScore is the standard normal quantile of p.
func normalScore(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// BusinessDays counts the working days of a country's calendar (ISO code;
// one without a calendar works Monday to Friday) after the civil day of
// from up to and including the civil day of to, both read on their own
// wall clocks; 0 when to is not after from's day.
func BusinessDays(country string, from, to time.Time) int {
	c := calendarOf(country)
	n := 0
	for d, last := civilDay(from)+1, civilDay(to); d <= last; d++ {
		if c.isWorkday(d) {
			n++
		}
	}
	return n
}

// CountryOf is the ISO country code of a location's area path ("?" when
// it names none).
func CountryOf(p AreaPath) string { return p[areaCountry] }
