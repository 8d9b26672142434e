package model

import (
	"math"
	"testing"
)

// A candidate's calibration MAE weighs each delivery's error by its
// follow-up day's censoring weight; without weights each counts once.
func TestCandidateMAE(t *testing.T) {
	var c candidate
	c.add(2, 0) // a delivery the next day, always seen
	c.add(2, 0)
	c.add(10, 5) // one five days off, seen a quarter of the time
	var wt [censorDays]float64
	for d := range wt {
		wt[d] = 1
	}
	wt[5] = 4
	for _, tc := range []struct {
		name string
		wt   *[censorDays]float64
		want float64
	}{
		{"unweighted", nil, 14.0 / 3},
		{"weighted", &wt, (2 + 2 + 4*10) / 6.0},
		{"all ones", func() *[censorDays]float64 { w := wt; w[5] = 1; return &w }(), 14.0 / 3},
	} {
		if got := c.mae(tc.wt); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: MAE %v, want %v", tc.name, got, tc.want)
		}
	}
	var merged candidate
	merged.merge(&c)
	merged.merge(&c)
	if got := merged.mae(&wt); math.Abs(got-(2+2+4*10)/6.0) > 1e-12 || merged.n != 6 {
		t.Errorf("merged twice: MAE %v over %d, want the same MAE over 6", got, merged.n)
	}
	if d := c.clone(); d.n != 0 || d.errDay[5] != 0 || d.nDay[0] != 0 {
		t.Errorf("clone kept the counts: %+v", d)
	}
}
