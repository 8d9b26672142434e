package model

import (
	"math"
	"testing"
)

func TestLevelAt(t *testing.T) {
	q := make([]float64, len(ResidualLevels))
	for i, l := range ResidualLevels {
		q[i] = 10 * l // a straight line: interpolation is exact
	}
	for _, tc := range []struct {
		l, want float64
	}{
		{0.95, 9.5},   // a stored level
		{0.955, 9.55}, // between 0.95 and 0.96
		{0.985, 9.85},
		{0.99, 9.9},  // the last
		{0.999, 9.9}, // beyond: the last
		{0.01, 0.5},  // below: the first
	} {
		if got := levelAt(q, tc.l); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("levelAt(%g) = %g, want %g", tc.l, got, tc.want)
		}
	}
}

func TestPromiseAcc(t *testing.T) {
	for _, tc := range []struct {
		name            string
		actual, commit  []float64
		late, all, ontm float64
	}{
		{"all on time", []float64{10, 20}, []float64{15, 30}, 0, 7.5, 7.5},
		// The late one counts 0 slack over all and is left out of the
		// on-time mean.
		{"one late", []float64{10, 20}, []float64{16, 15}, 0.5, 3, 6},
		{"all late", []float64{10}, []float64{5}, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a promiseAcc
			for i := range tc.actual {
				a.add(tc.actual[i], tc.commit[i])
			}
			p := a.point(0.9)
			if p.N != len(tc.actual) || p.Late != tc.late || p.MeanSlackAllHours != tc.all || p.MeanSlackOnTimeHours != tc.ontm {
				t.Errorf("point %+v, want late %g, slack %g over all and %g on time", p, tc.late, tc.all, tc.ontm)
			}
		})
	}
}

func TestAtLate(t *testing.T) {
	curve := []PromisePoint{
		{Target: 0.8, Late: 0.2, MeanSlackAllHours: 10},
		{Target: 0.9, Late: 0.1, MeanSlackAllHours: 20},
		{Target: 0.99, Late: 0.02, MeanSlackAllHours: 60},
	}
	for _, tc := range []struct {
		late, want float64
		ok         bool
	}{
		{0.1, 20, true},
		{0.15, 15, true},
		{0.06, 40, true},
		{0.3, 0, false},  // later than the curve's loosest commit
		{0.01, 0, false}, // tighter than its strictest
	} {
		got, ok := AtLate(curve, tc.late)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("AtLate(%g) = %g, %v; want %g, %v", tc.late, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPromiseBacktestIncludesTarget(t *testing.T) {
	b := newPromiseBacktest(0.955)
	want := []float64{0.80, 0.85, 0.90, 0.95, 0.955, 0.96, 0.97, 0.98, 0.99}
	if len(b.targets) != len(want) {
		t.Fatalf("targets %v, want %v", b.targets, want)
	}
	for i := range want {
		if b.targets[i] != want[i] {
			t.Fatalf("targets %v, want %v", b.targets, want)
		}
	}
	if b := newPromiseBacktest(0.95); len(b.targets) != len(PromiseTargets) {
		t.Errorf("a target among PromiseTargets is added again: %v", b.targets)
	}
}
