package model

import "math"

// hist is a fixed-bin weighted histogram: memory does not grow with the
// number of values, and quantiles are exact to half a bin. Only the range
// of bins between the lowest and highest value seen is stored, so the
// many small histograms of a pass (one per lane, segment or status) stay
// small and in cache.
type hist struct {
	lo, width float64
	bins      int       // bins in [lo, hi)
	first     int       // the bin w[0] counts
	w         []float64 // bins first … first+len(w)-1
	total     float64
	sq        float64 // the sum of the weights' squares, for effectiveN
}

func newHist(lo, hi, width float64) *hist {
	return &hist{lo: lo, width: width, bins: int(math.Ceil((hi - lo) / width))}
}

// bin is the bin of v: values below lo (and NaN) go to the first bin,
// values at or beyond hi to the last.
func (h *hist) bin(v float64) int {
	i := int((v - h.lo) / h.width)
	if i < 0 || math.IsNaN(v) {
		i = 0
	}
	return min(i, h.bins-1)
}

func (h *hist) add(v, weight float64) {
	*h.slot(h.bin(v)) += weight
	h.total += weight
	h.sq += weight * weight
}

// effectiveN is how many unweighted values the weighted ones are worth
// (Kish): the count itself when every weight is 1.
func (h *hist) effectiveN() float64 {
	if h.sq == 0 {
		return 0
	}
	return h.total * h.total / h.sq
}

// slot is the weight of bin i, the stored range grown to hold it.
func (h *hist) slot(i int) *float64 {
	switch {
	case len(h.w) == 0:
		h.first = i
		h.w = append(h.w, 0)
	case i < h.first:
		// Grow downwards, with room for more.
		n := min(h.first, max(h.first-i, len(h.w)/2))
		w := make([]float64, n+len(h.w), n+cap(h.w))
		copy(w[n:], h.w)
		h.w, h.first = w, h.first-n
	case i >= h.first+len(h.w):
		n := i - h.first + 1
		if n > cap(h.w) {
			w := make([]float64, len(h.w), min(max(n, 2*cap(h.w)), h.bins-h.first))
			copy(w, h.w)
			h.w = w
		}
		h.w = h.w[:n]
	}
	return &h.w[i-h.first]
}

// quantile returns the value below which a share q of the weight lies,
// interpolated inside its bin.
func (h *hist) quantile(q float64) float64 {
	if h.total == 0 {
		return math.NaN()
	}
	target := q * h.total
	var cum float64
	for i, w := range h.w {
		if cum+w >= target && w > 0 {
			return h.lo + h.width*(float64(h.first+i)+(target-cum)/w)
		}
		cum += w
	}
	return h.lo + h.width*float64(h.first+len(h.w))
}

// mode returns the centre of the heaviest bin.
func (h *hist) mode() float64 {
	best := 0
	for i, w := range h.w {
		if w > h.w[best] {
			best = i
		}
	}
	return h.lo + h.width*(float64(h.first+best)+0.5)
}

// mergeScaled adds another histogram of the same bins, its weights times
// scale.
func (h *hist) mergeScaled(o *hist, scale float64) {
	for i, w := range o.w {
		if w != 0 {
			*h.slot(o.first + i) += w * scale
		}
	}
	h.total += o.total * scale
	h.sq += o.sq * scale * scale
}

// merge adds another histogram of the same bins.
func (h *hist) merge(o *hist) {
	for i, w := range o.w {
		if w != 0 {
			*h.slot(o.first + i) += w
		}
	}
	h.total += o.total
	h.sq += o.sq
}
