package model

import "math"

// laneStats are, per lane, the sums a lane's mean residual needs once the
// coefficients are known: mean residual = (Σy − (Σx)·β) / rows, for each
// target. Memory is O(lanes × features), whatever the number of rows.
type laneStats struct {
	p, k  int
	lanes map[string]*laneSum
}

type laneSum struct {
	shipments, rows int
	sumY            []float64 // per target
	sumX            []float64
}

func newLaneStats(p, k int) *laneStats { return &laneStats{p: p, k: k, lanes: map[string]*laneSum{}} }

func (l *laneStats) get(key string) *laneSum {
	s, ok := l.lanes[key]
	if !ok {
		s = &laneSum{sumY: make([]float64, l.k), sumX: make([]float64, l.p)}
		l.lanes[key] = s
	}
	return s
}

func (s *laneSum) add(x *Row, ys []float64) {
	s.rows++
	for t, y := range ys {
		s.sumY[t] += y
	}
	for k, i := range x.Idx {
		s.sumX[i] += x.Val[k]
	}
}

func (l *laneStats) merge(o *laneStats) {
	for k, s := range o.lanes {
		mine := l.get(k)
		mine.shipments += s.shipments
		mine.rows += s.rows
		for t, y := range s.sumY {
			mine.sumY[t] += y
		}
		for i, v := range s.sumX {
			mine.sumX[i] += v
		}
	}
}

// offsets shrinks each lane's mean residual of target t toward zero by how
// much of its spread is signal (empirical Bayes, method of moments): the
// between-lane variance τ² is what the lane means vary by beyond the noise
// σ²/m a mean of m shipments has; a lane's offset is its mean ×
// τ²/(τ² + σ²/m).
// Snapshots of one shipment share its lane and its luck, so m counts
// shipments, not rows.
func (l *laneStats) offsets(coef []float64, t int, sigma2 float64) map[string]float64 {
	means := make(map[string]float64, len(l.lanes))
	var excess float64
	for k, s := range l.lanes {
		if s.rows == 0 || s.shipments == 0 {
			continue
		}
		r := (s.sumY[t] - dot(s.sumX, coef)) / float64(s.rows)
		means[k] = r
		excess += r*r - sigma2/float64(s.shipments)
	}
	out := make(map[string]float64, len(means))
	if len(means) == 0 {
		return out
	}
	tau2 := math.Max(excess/float64(len(means)), 1e-6)
	for k, r := range means {
		noise := sigma2 / float64(l.lanes[k].shipments)
		if v := r * tau2 / (tau2 + noise); math.Abs(v) > 1e-6 {
			out[k] = v
		}
	}
	return out
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
