package model

import (
	"errors"
	"math"
	"time"
)

// fitWorker is one goroutine's share of the train pass. fits[laneFit]
// gets the shipments without a promise (Train adds the lane fit's other
// rows after the pass), fits[promiseFit] those with one.
type fitWorker struct {
	m         *Model
	fits      perFit[*fitAcc]
	base      *baselineAcc
	dwell     *dwellAcc
	row       Row
	ys        []float64 // a row's target on every scale
	logScales []float64
}

func newFitWorker(m *Model, trainTo time.Time, scales []float64) *fitWorker {
	p := len(m.Features)
	w := &fitWorker{m: m, fits: perFit[*fitAcc]{newFitAcc(p, m.enc.sharedFeatures(), scales), newFitAcc(p, m.enc.sharedFeatures(), scales)}, base: newBaselineAcc(trainTo),
		dwell: newDwellAcc(), ys: make([]float64, len(scales)), logScales: make([]float64, len(scales))}
	for t, c := range scales {
		w.logScales[t] = math.Log(c)
	}
	return w
}

func (w *fitWorker) journey(j *Journey) {
	w.dwell.add(j)
	// Each row goes to one accumulator: with its promise, or without one.
	// The lane fit's sums are completed after the pass (Train).
	acc := w.fits[laneFit]
	if !j.Promised.IsZero() {
		acc = w.fits[promiseFit]
	}
	lane := acc.lanes.get(laneKeysOf(j))
	lane.shipments++
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		w.m.enc.Encode(s, &w.row)
		toTargets(hoursLeft, acc.scales, w.logScales, w.ys)
		acc.add(&w.row, w.ys, lane, s.inPeak())
		if s.Scans == 1 {
			hidden := *s
			hidden.Promised = time.Time{}
			w.base.add(&hidden, hoursLeft)
		}
	})
}

func (w *fitWorker) merge(o *fitWorker) {
	for i := range w.fits {
		w.fits[i].merge(o.fits[i])
	}
	w.base.merge(o.base)
	w.dwell.merge(o.dwell)
}

// rows is how many train snapshots the worker saw.
func (w *fitWorker) rows() int {
	return w.fits[laneFit].ridge.Rows() + w.fits[promiseFit].ridge.Rows()
}

// fitAcc accumulates one fit: its normal equations and lane sums for
// every target scale, then one candidate per penalty and target scale,
// scored on the calibration slice.
type fitAcc struct {
	scales []float64 // target scales, hours
	ridge  *Ridge
	peak   *Ridge // the peak-season rows again, for their residual spread
	lanes  *laneStats
	cands  []*candidate
}

// newFitAcc accumulates p features, of which the first shared may be set
// by rows of any lane.
func newFitAcc(p, shared int, scales []float64) *fitAcc {
	k := len(scales)
	return &fitAcc{scales: scales, ridge: NewRidge(p, k), peak: NewRidge(p, k), lanes: newLaneStats(shared, k)}
}

// add adds a row with its target on every scale (ys).
func (f *fitAcc) add(row *Row, ys []float64, lane *laneSum, peak bool) {
	f.ridge.AddRow(row, ys)
	if peak {
		f.peak.AddRow(row, ys)
	}
	lane.add(row, ys)
}

// peakSpread is how much wider residuals of target t are in peak season
// than out of it on the train slice (at least 1): the scale of a
// normalized conformal interval, so a calibration slice without a peak
// still covers one.
func (f *fitAcc) peakSpread(coef []float64, t int) float64 {
	np, n := f.peak.Rows(), f.ridge.Rows()
	if np < 1000 || n-np < 1000 {
		return 1
	}
	peak := f.peak.RSS(coef, t)
	vp := peak / float64(np)
	vo := (f.ridge.RSS(coef, t) - peak) / float64(n-np)
	if vo <= 0 || vp <= vo {
		return 1
	}
	return math.Sqrt(vp / vo)
}

// solve makes a candidate for every penalty that gives a solvable fit and
// every target scale: one factorization per penalty.
func (f *fitAcc) solve(cfg TrainConfig) error {
	if f.ridge.Rows() == 0 {
		return errors.New("no training rows")
	}
	for _, l := range cfg.Lambdas {
		coefs, err := f.ridge.Solve(l)
		if err != nil {
			cfg.Log.Warn("ridge penalty skipped", "lambda", l, "err", err)
			continue
		}
		for t, coef := range coefs {
			sigma2 := f.ridge.RSS(coef, t) / float64(f.ridge.Rows())
			f.cands = append(f.cands, &candidate{lambda: l, scale: f.scales[t], coef: coef,
				offsets: f.lanes.offsets(coef, t, sigma2), spread: f.peakSpread(coef, t)})
		}
	}
	if len(f.cands) == 0 {
		return errors.New("no ridge penalty gave a solvable fit")
	}
	return nil
}

// withoutFeatures is a copy of the sums with the given features' rows
// and columns zeroed: the same rows, encoded without those features.
func (f *fitAcc) withoutFeatures(drop []int) *fitAcc {
	c := &fitAcc{scales: f.scales, ridge: f.ridge.without(drop), peak: f.peak.without(drop), lanes: newLaneStats(f.lanes.shared, len(f.scales))}
	c.lanes.merge(f.lanes)
	for _, s := range c.lanes.lanes {
		for _, i := range drop {
			s.sumX.zero(i)
		}
	}
	return c
}

func (f *fitAcc) merge(o *fitAcc) {
	f.ridge.merge(o.ridge)
	f.peak.merge(o.peak)
	f.lanes.merge(o.lanes)
}

// best is the candidate with the lowest calibration MAE, as a Fit without
// its residuals (the calibration pass sets them).
func (f *fitAcc) best() (*Fit, []LambdaScore) {
	var best *candidate
	var scores []LambdaScore
	for _, c := range f.cands {
		if c.n == 0 {
			continue
		}
		scores = append(scores, LambdaScore{Lambda: c.lambda, TargetScale: c.scale, MAEHours: c.absErr / float64(c.n)})
		if best == nil || c.absErr < best.absErr {
			best = c
		}
	}
	if best == nil {
		return nil, nil
	}
	return &Fit{Rows: f.ridge.Rows(), Lambda: best.lambda, TargetScale: best.scale, Coef: best.coef,
		LaneOffsets: best.offsets, PeakSpread: best.spread}, scores
}

// candidate is one ridge penalty's and target scale's fit, scored on the
// calibration slice.
type candidate struct {
	lambda, scale float64
	coef          []float64
	offsets       map[string]float64
	spread        float64 // peak-season residual scale
	absErr        float64
	n             int
}

// clone is a candidate with the same fit and empty counters.
func (c *candidate) clone() *candidate {
	d := *c
	d.absErr, d.n = 0, 0
	return &d
}

func (c *candidate) merge(o *candidate) {
	c.absErr += o.absErr
	c.n += o.n
}
