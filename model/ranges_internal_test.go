package model

import "testing"

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
	row := &Row{Idx: []int32{0, 1, 2}, Val: []float64{9, 3, -5}}
	r.clamp(row)
	for k, want := range []float64{4, 0, -2} {
		if row.Val[k] != want {
			t.Errorf("clamped value %d: %v, want %v", k, row.Val[k], want)
		}
	}
}
