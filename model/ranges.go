package model

import (
	"fmt"
	"math"
)

// FeatureRanges are the least and greatest value each feature took on
// the train slice's rows, where it was set. A snapshot served later is
// encoded within them: a value the history never had (a parcel out for
// delivery whose promise is ten days off, where every train parcel went
// out on its promised day) would otherwise be extrapolated along a
// coefficient learned near zero. A feature never set on the train slice
// has the range [0, 0], and its coefficient is the penalty's zero. The
// area pairs' features are ranged as the fit read them, out of fold; a
// served row reads every fold's pairs, within that range.
type FeatureRanges struct {
	Min []float64 `json:"min"`
	Max []float64 `json:"max"`
}

// rangeAcc gathers FeatureRanges over encoded rows.
type rangeAcc struct{ lo, hi []float64 }

func newRangeAcc(p int) *rangeAcc {
	a := &rangeAcc{lo: make([]float64, p), hi: make([]float64, p)}
	for i := range a.lo {
		a.lo[i], a.hi[i] = math.Inf(1), math.Inf(-1)
	}
	return a
}

func (a *rangeAcc) add(r *Row) {
	for k, i := range r.Idx {
		v := r.Val[k]
		a.lo[i], a.hi[i] = math.Min(a.lo[i], v), math.Max(a.hi[i], v)
	}
}

func (a *rangeAcc) merge(o *rangeAcc) {
	for i := range a.lo {
		a.lo[i], a.hi[i] = math.Min(a.lo[i], o.lo[i]), math.Max(a.hi[i], o.hi[i])
	}
}

func (a *rangeAcc) finish() *FeatureRanges {
	r := &FeatureRanges{Min: make([]float64, len(a.lo)), Max: make([]float64, len(a.hi))}
	for i := range a.lo {
		if a.lo[i] <= a.hi[i] {
			r.Min[i], r.Max[i] = a.lo[i], a.hi[i]
		}
	}
	return r
}

// check refuses ranges that do not fit features or are not ranges.
func (r *FeatureRanges) check(features []string) error {
	if len(r.Min) != len(features) || len(r.Max) != len(features) {
		return fmt.Errorf("%w: feature ranges for %d and %d features, the model has %d", ErrBadArtifact, len(r.Min), len(r.Max), len(features))
	}
	for i := range r.Min {
		lo, hi := r.Min[i], r.Max[i]
		if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
			return fmt.Errorf("%w: feature %s has range [%v, %v]", ErrBadArtifact, features[i], lo, hi)
		}
	}
	return nil
}

// clamp moves every value of row into its feature's range, but for the
// features skip marks (nil for none).
func (r *FeatureRanges) clamp(row *Row, skip []bool) {
	for k, i := range row.Idx {
		if skip != nil && skip[i] {
			continue
		}
		row.Val[k] = min(max(row.Val[k], r.Min[i]), r.Max[i])
	}
}
