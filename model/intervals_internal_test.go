package model

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

func TestKMHist(t *testing.T) {
	for _, tc := range []struct {
		name                string
		delivered, censored []float64
		// want are the quantiles at levels 0.15, 0.45, 0.8 (a value v
		// fills the bin [v, v + 0.005)).
		want [3]float64
	}{
		{"nothing censored", []float64{1, 2, 3, 4}, nil, [3]float64{1.003, 2.004, 4.001}},
		// A censored value below every delivery gives its weight to all
		// of them alike: the same distribution.
		{"censored below all", []float64{1, 2, 3, 4}, []float64{0}, [3]float64{1.003, 2.004, 4.001}},
		// Censored between 2 and 3: its weight goes to 3 and 4, which now
		// hold 3/5 of it between them: the p45 moves from 2 to 3.
		{"censored in the middle", []float64{1, 2, 3, 4}, []float64{2.5}, [3]float64{1.00375, 3 + 0.005/6, 4 + 0.005/3}},
		// Censored above every delivery: no delivery as late was seen, so
		// its weight is left out.
		{"censored above all", []float64{1, 2, 3, 4}, []float64{9}, [3]float64{1.003, 2.004, 4.001}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c := newResidualHist(), newResidualHist()
			for _, v := range tc.delivered {
				d.add(v, 1)
			}
			for _, v := range tc.censored {
				c.add(v, 1)
			}
			km := kmHist(d, c)
			for i, l := range []float64{0.15, 0.45, 0.8} {
				if got := km.quantile(l); math.Abs(got-tc.want[i]) > 1e-6 {
					t.Errorf("quantile %.2f = %.5f, want %.5f", l, got, tc.want[i])
				}
			}
		})
	}
}

func TestBlurredAddsVariance(t *testing.T) {
	for _, sd := range []float64{0, 0.05, 0.2} {
		h := newResidualHist()
		for i := range 1000 {
			h.add(float64(i%7)*0.1-0.3, 1)
		}
		b := h.blurred(sd)
		mean, v := histMoments(h)
		bm, bv := histMoments(b)
		if math.Abs(b.total-h.total) > 1e-9 || b.sq != h.sq {
			t.Errorf("sd %g: total %g and squares %g, want %g and %g", sd, b.total, b.sq, h.total, h.sq)
		}
		if math.Abs(bm-mean) > 1e-6 || math.Abs(bv-(v+sd*sd)) > 1e-4 {
			t.Errorf("sd %g: mean %.5f variance %.5f, want %.5f and %.5f", sd, bm, bv, mean, v+sd*sd)
		}
	}
}

// histMoments are the mean and variance of a histogram's bin centres.
func histMoments(h *hist) (mean, variance float64) {
	var s, ss float64
	for i, w := range h.w {
		x := h.lo + h.width*(float64(h.first+i)+0.5)
		s += w * x
		ss += w * x * x
	}
	mean = s / h.total
	return mean, ss/h.total - mean*mean
}

func TestDriftSpread(t *testing.T) {
	// One country, 60 weeks of 20 shipments, one row each, with a
	// residual of noise of standard deviation 0.5 around the week's level.
	weeks := func(level func(w int) float64) *laneStats {
		rng := rand.New(rand.NewPCG(1, 2))
		l := newLaneStats(1, 1)
		for w := range 60 {
			var k laneKeys
			for i := range k {
				k[i] = "BR#" + strconv.Itoa(1000+w)
			}
			s := l.get(k)
			for range 20 {
				y := level(w) + 0.5*rng.NormFloat64()
				s.shipments++
				s.add(&Row{Idx: []int32{0}, Val: []float64{0}}, []float64{y}, 1)
			}
		}
		return l
	}
	for _, tc := range []struct {
		name   string
		level  func(w int) float64
		lo, hi float64
	}{
		// The weeks' means vary by their noise alone (0.5/√20).
		{"steady", func(int) float64 { return 0 }, 0, 0.06},
		// Alternating blocks of four weeks at ±0.2: a week's shift from
		// the four before it is 0 or ±0.4.
		{"moving", func(w int) float64 { return 0.2 * float64(1-2*(w/4%2)) }, 0.15, 0.35},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := weeks(tc.level).driftSpread([]float64{0}, 0, 0.25, 4, 4)
			if got < tc.lo || got > tc.hi {
				t.Errorf("drift spread %.3f, want %.2f to %.2f", got, tc.lo, tc.hi)
			}
		})
	}
}

func TestAbandoned(t *testing.T) {
	asOf := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	m := &Model{Dwell: map[string]Dwell{
		"c|" + string(schemas.StatusInfoReceived): {N: 100, P99Hours: 240},
		"c|" + string(schemas.StatusPickedUp):     {N: 10, P99Hours: 24}, // too few to judge
	}}
	scan := func(daysBefore float64, st schemas.Status) Scan {
		return Scan{Time: asOf.Add(-time.Duration(daysBefore * 24 * float64(time.Hour))), Status: st}
	}
	for _, tc := range []struct {
		name  string
		scans []Scan
		want  bool
	}{
		{"fresh", []Scan{scan(2, schemas.StatusInfoReceived)}, false},
		{"stale past the p99 dwell", []Scan{scan(11, schemas.StatusInfoReceived)}, true},
		{"cancelled", []Scan{scan(3, schemas.StatusInfoReceived), scan(2, schemas.StatusCancelled)}, true},
		{"returned", []Scan{scan(3, schemas.StatusInfoReceived), scan(1, schemas.StatusReturnedToSender)}, true},
		{"stale, but too few dwell times to judge", []Scan{scan(20, schemas.StatusPickedUp)}, false},
		{"cancelled after the cut-off", []Scan{scan(2, schemas.StatusInfoReceived), scan(-1, schemas.StatusCancelled)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := &Journey{Carrier: "c", Scans: tc.scans}
			if got := m.abandoned(j, asOf); got != tc.want {
				t.Errorf("abandoned = %v, want %v", got, tc.want)
			}
		})
	}
}

// The drift margin widens every level away from the median and never
// narrows one, even where the estimate ends in a pile at the slowest
// delivery seen (the censored weight redistributed onto it).
func TestQuantilesDriftOnlyWidens(t *testing.T) {
	resid, bounds := map[segID]*hist{}, map[segID]*hist{}
	id := segID{carrier: "c", service: "s"}
	resid[id], bounds[id] = newResidualHist(), newResidualHist()
	for i := range 3000 {
		resid[id].add(float64(i%100)/100, 1) // uniform on [0, 1)
	}
	for range 1500 {
		bounds[id].add(0.95, 1) // in flight, above nearly every delivery
	}
	flatQ, _ := quantiles(resid, bounds, 0, 0, minSegmentRows, segID.keys)
	wideQ, _ := quantiles(resid, bounds, 0.2, 0, minSegmentRows, segID.keys)
	flat, wide := flatQ["*"], wideQ["*"]
	for i, l := range ResidualLevels {
		switch {
		case l > 0.5 && wide[i] < flat[i], l < 0.5 && wide[i] > flat[i], l == 0.5 && wide[i] != flat[i]:
			t.Errorf("level %.2f: %.3f with the drift margin, %.3f without", l, wide[i], flat[i])
		}
	}
	if !(wide[levelP10] < flat[levelP10]) {
		t.Errorf("p10 %.3f with the drift margin, %.3f without: want it lower", wide[levelP10], flat[levelP10])
	}
}

// A thin segment's p10 and p90 take their sampling margin from every
// residual of the slice, its outer levels from its own rows only.
func TestQuantilesInteriorMarginFromAllRows(t *testing.T) {
	resid := map[segID]*hist{}
	thin, thick := segID{carrier: "a", service: "s"}, segID{carrier: "b", service: "s"}
	for id, n := range map[segID]int{thin: 400, thick: 20000} {
		resid[id] = newResidualHist()
		for i := range n {
			resid[id].add((float64(i)+0.5)/float64(n), 1) // uniform on [0, 1)
		}
	}
	q, _ := quantiles(resid, nil, 0, 0, minSegmentRows, segID.keys)
	a, ok := q["a"]
	if !ok {
		t.Fatalf("no segment of its own for a carrier of 400 rows: %v", slices.Collect(maps.Keys(q)))
	}
	all := 20400.0
	for _, tc := range []struct {
		level int
		want  float64
	}{
		{levelP10, conservativeLevel(0.10, all)},
		{levelP90, conservativeLevel(0.90, all)},
		{levelP95, conservativeLevel(0.95, 400)},
	} {
		if got := a[tc.level]; math.Abs(got-tc.want) > 0.003 {
			t.Errorf("level %.2f: %.4f, want %.4f", ResidualLevels[tc.level], got, tc.want)
		}
	}
}
