package model

import "math"

// hist is a fixed-bin weighted histogram: memory does not grow with the
// number of values, and quantiles are exact to half a bin.
type hist struct {
	lo, width float64
	w         []float64
	total     float64
}

func newHist(lo, hi, width float64) *hist {
	return &hist{lo: lo, width: width, w: make([]float64, int(math.Ceil((hi-lo)/width)))}
}

func (h *hist) add(v, weight float64) {
	i := int((v - h.lo) / h.width)
	if i < 0 || math.IsNaN(v) {
		i = 0
	}
	if i >= len(h.w) {
		i = len(h.w) - 1
	}
	h.w[i] += weight
	h.total += weight
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
			return h.lo + h.width*(float64(i)+(target-cum)/w)
		}
		cum += w
	}
	return h.lo + h.width*float64(len(h.w))
}

// mode returns the centre of the heaviest bin.
func (h *hist) mode() float64 {
	best := 0
	for i, w := range h.w {
		if w > h.w[best] {
			best = i
		}
	}
	return h.lo + h.width*(float64(best)+0.5)
}

// merge adds another histogram of the same bins.
func (h *hist) merge(o *hist) {
	for i, w := range o.w {
		h.w[i] += w
	}
	h.total += o.total
}
