package model

import (
	"math"
	"testing"
)

func TestBound(t *testing.T) {
	e := &Encoder{ranges: &FeatureRanges{Min: []float64{0.5, 0, -1}, Max: []float64{2, 0, 3}}}
	for _, c := range []struct {
		name    string
		fold, i int
		v, want float64
	}{
		{"above the range", 0, 0, 5, 2},
		{"below the range", 0, 0, 0.1, 0.5},
		{"within the range", 0, 0, 1.5, 1.5},
		{"zero sets no feature", 0, 0, 0, 0},
		{"a training row", 1, 0, 5, 5},
		{"a feature the train slice never set", 0, 1, 5, 5},
		{"a range across zero", 0, 2, -4, -1},
		{"no such feature", 0, -1, 5, 5},
	} {
		if got := e.bound(&Row{Fold: c.fold}, c.i, c.v); got != c.want {
			t.Errorf("%s: bound(%v) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
	if got := (&Encoder{}).bound(&Row{}, 0, 5); got != 5 {
		t.Errorf("without ranges: %v, want 5", got)
	}
}

func TestRangeAcc(t *testing.T) {
	a, b := newRangeAcc(3), newRangeAcc(3)
	a.add(&Row{Idx: []int32{0, 2}, Val: []float64{1, -2}})
	b.add(&Row{Idx: []int32{0}, Val: []float64{4}})
	a.merge(b)
	r := a.finish()
	for i, want := range [][2]float64{{1, 4}, {0, 0}, {-2, -2}} {
		if r.Min[i] != want[0] || r.Max[i] != want[1] {
			t.Errorf("feature %d: [%v, %v], want %v", i, r.Min[i], r.Max[i], want)
		}
	}
	for _, c := range []struct {
		name string
		skip []bool
		want []float64
	}{
		{"every feature", nil, []float64{4, 0, -2}},
		{"but the first", []bool{true, false, false}, []float64{9, 0, -2}},
	} {
		row := &Row{Idx: []int32{0, 1, 2}, Val: []float64{9, 3, -5}}
		r.clamp(row, c.skip)
		for k, want := range c.want {
			if row.Val[k] != want {
				t.Errorf("%s: clamped value %d: %v, want %v", c.name, k, row.Val[k], want)
			}
		}
	}
}

// The splines' tents are left to their bounded hours: they still sum to 1
// on a served row whose hours lie between two knots no train row had.
func TestTentsNotClamped(t *testing.T) {
	names := featureNames(Vocabulary{})
	e := NewEncoder(names)
	lo, hi := make([]float64, len(names)), make([]float64, len(names))
	for i := range names {
		lo[i], hi[i] = 1, 1 // as if every train row had sat on a knot
	}
	for _, i := range append(e.promk[:], e.stdk[:]...) {
		if !e.tent[i] {
			t.Errorf("tent %s not marked", names[i])
		}
	}
	e.ranges = &FeatureRanges{Min: lo, Max: hi}
	r := &Row{}
	setSpline(r, e.promk[:], promiseKnotLogs, (promiseKnotLogs[3]+promiseKnotLogs[4])/2)
	e.ranges.clamp(r, e.tent)
	sum := 0.0
	for _, v := range r.Val {
		sum += v
	}
	if len(r.Val) != 2 || math.Abs(sum-1) > 1e-12 {
		t.Errorf("tents %v after the clamp: want two summing to 1", r.Val)
	}
}
