package model

import (
	"errors"
	"hash/crc32"
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
	day       *dayAcc
	row       Row
	served    Row       // a row that read its own week's peak, as served (Encoder.servedPeak)
	ys        []float64 // a row's target on every scale
	logScales []float64
	trainTo   time.Time // the end of the train slice, which ages are counted to
	weights   []float64 // the current journey's weight per half-life
	laneSums  []*laneSum
	ranges    *rangeAcc
}

func newFitWorker(m *Model, trainTo time.Time, scales, halfLives []float64) *fitWorker {
	p := len(m.Features)
	sh := m.enc.sharedFeatures()
	w := &fitWorker{m: m, fits: perFit[*fitAcc]{newFitAcc(p, sh, scales, halfLives), newFitAcc(p, sh, scales, halfLives)}, base: newBaselineAcc(trainTo),
		dwell: newDwellAcc(), day: newDayAcc(), ys: make([]float64, len(scales)), logScales: make([]float64, len(scales)),
		trainTo: trainTo, weights: make([]float64, len(halfLives)), ranges: newRangeAcc(p)}
	for t, c := range scales {
		w.logScales[t] = math.Log(c)
	}
	return w
}

func (w *fitWorker) journey(j *Journey) {
	w.dwell.add(j)
	w.day.add(j)
	// Each row goes to one accumulator: with its promise, or without one.
	// The lane fit's sums are completed after the pass (Train).
	acc := w.fits[laneFit]
	if !j.Promised.IsZero() {
		acc = w.fits[promiseFit]
	}
	keys := laneKeysOf(j)
	w.laneSums = w.laneSums[:0]
	for _, l := range acc.lanes {
		s := l.get(keys)
		s.shipments++
		w.laneSums = append(w.laneSums, s)
	}
	if len(j.Scans) == 0 {
		return
	}
	week := acc.weeks.get(weekKeys(j))
	week.shipments++
	// Every snapshot of a journey is as old as its first scan.
	age := 0.0
	if len(j.Scans) > 0 {
		age = w.trainTo.Sub(j.Scans[0].Time).Hours() / 24
	}
	for i, h := range acc.halfLives {
		w.weights[i] = decayWeight(age, h)
	}
	w.row.Fold, w.row.ownPeak = journeyFold(j), peakOwnWeek
	offSample := crc32.ChecksumIEEE([]byte(j.TrackingNumber))%spreadSample == 0
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		w.m.enc.Encode(s, &w.row)
		w.ranges.add(&w.row)
		if fitRowSeen != nil {
			fitRowSeen(w.m.enc, j, &w.row)
		}
		toTargets(hoursLeft, acc.scales, w.logScales, w.ys)
		var spread *Ridge
		switch {
		case s.inPeak():
			spread = acc.peak
		case offSample:
			spread = acc.off
		}
		acc.add(&w.row, w.m.enc.servedPeak(&w.row, &w.served), spread, w.ys, w.laneSums, week, w.weights)
		if s.Scans == 1 {
			hidden := *s
			hidden.Promised = time.Time{}
			w.base.add(&hidden, hoursLeft)
		}
	})
}

// fitRowSeen, set only by tests, gets every train row as the fit pass
// encodes it, with its shipment: what the fit's sums are made of. It is
// called from every worker at once.
var fitRowSeen func(e *Encoder, j *Journey, r *Row)

func (w *fitWorker) merge(o *fitWorker) {
	for i := range w.fits {
		w.fits[i].merge(o.fits[i])
	}
	w.base.merge(o.base)
	w.dwell.merge(o.dwell)
	w.day.merge(o.day)
	w.ranges.merge(o.ranges)
}

// rows is how many train snapshots the worker saw.
func (w *fitWorker) rows() int {
	return w.fits[laneFit].ridge.Rows() + w.fits[promiseFit].ridge.Rows()
}

// decayWeight is the weight of a training row ageDays old at the end of
// the train slice under a time decay of halfLife days: 1 at the end,
// halving every halfLife days before it. The age is counted from the
// nearer of the end and the same day a year before it, so the season a
// year back weighs as the present does: a peak learned from last year's
// weeks is not decayed away. A half-life of 0 is no decay; a row dated
// after the end weighs 1.
func decayWeight(ageDays, halfLife float64) float64 {
	if halfLife <= 0 || ageDays <= 0 {
		return 1
	}
	age := ageDays
	if seasonalDecay {
		age = math.Min(ageDays, math.Abs(ageDays-daysPerYear))
	}
	return math.Exp(-age / halfLife * math.Ln2)
}

// seasonalDecay is off only in the tests that show what counting the age
// from a year back changes.
var seasonalDecay = true

// daysPerYear is a year's mean length in days.
const daysPerYear = 365.25

// fitAcc accumulates one fit: its normal equations and lane sums for
// every target scale, then one candidate per half-life, penalty and
// target scale, scored on the calibration slice.
type fitAcc struct {
	scales    []float64 // target scales, hours
	halfLives []float64 // time-decay half-lives, days; 0 is no decay
	ridge     *Ridge    // unweighted
	// decayed holds the time-weighted normal equations per half-life
	// (nil for no decay, which is ridge), and lanes the lane sums with
	// the same weights, so a decayed fit's offsets are its recent mean
	// residuals. The peak spread stays unweighted.
	decayed []*Ridge
	lanes   []*laneStats
	// peak and off are the peak-season rows, and one journey in
	// spreadSample of the others, again as served (Encoder.servedPeak):
	// the peak spread compares their residuals.
	peak, off *Ridge
	weeks     *laneStats // the rows' sums by destination country and week, for the drift margin
	cands     []*candidate
}

// newFitAcc accumulates p features, of which the first shared may be set
// by rows of any lane.
func newFitAcc(p, shared int, scales, halfLives []float64) *fitAcc {
	k := len(scales)
	f := &fitAcc{scales: scales, halfLives: halfLives, ridge: NewRidge(p, k), peak: NewRidge(p, k), off: NewRidge(p, k),
		weeks:   newLaneStats(p, k), // dense: a week's rows set every column
		decayed: make([]*Ridge, len(halfLives)), lanes: make([]*laneStats, len(halfLives))}
	for i, h := range halfLives {
		if h > 0 {
			f.decayed[i] = NewRidge(p, k)
		}
		f.lanes[i] = newLaneStats(shared, k)
	}
	return f
}

// spreadSample: one journey in spreadSample gives its rows out of season
// to the peak spread's comparison, which needs their variance, not all of
// them.
const spreadSample = 8

// ridgeOf is the normal equations of half-life i.
func (f *fitAcc) ridgeOf(i int) *Ridge {
	if f.decayed[i] == nil {
		return f.ridge
	}
	return f.decayed[i]
}

// add adds a train row with its target on every scale (ys) and its
// weight per half-life; served is the same row with the peak feature as
// served (Encoder.servedPeak), which the week sums of the drift margin
// read, and spread the season's accumulator of the peak spread that
// takes it (nil for none).
func (f *fitAcc) add(row, served *Row, spread *Ridge, ys []float64, lanes []*laneSum, week *laneSum, weights []float64) {
	f.ridge.AddRow(row, ys)
	week.add(served, ys, 1)
	for i, r := range f.decayed {
		if r != nil {
			r.AddWeightedRow(row, ys, weights[i])
		}
	}
	if spread != nil {
		spread.AddRow(served, ys)
	}
	for i, l := range lanes {
		l.add(row, ys, weights[i])
	}
}

// peakSpread is how much wider residuals of target t are in peak season
// than out of it on the train slice (at least 1): the scale of a
// normalized conformal interval, so a calibration slice without a peak
// still covers one.
func (f *fitAcc) peakSpread(coef []float64, t int) float64 {
	np, no := f.peak.Rows(), f.off.Rows()
	if np < 1000 || no < 1000 {
		return 1
	}
	// Both as served: the peak feature then is the forecast from a year
	// back, not the week's own excess.
	vp := f.peak.RSS(coef, t) / float64(np)
	vo := f.off.RSS(coef, t) / float64(no)
	if vo <= 0 || vp <= vo {
		return 1
	}
	return math.Sqrt(vp / vo)
}

// solve makes a candidate for every penalty that gives a solvable fit and
// every target scale: one factorization per penalty.
func (f *fitAcc) solve(cfg TrainConfig, calibWeeks, testWeeks int) error {
	if f.ridge.Rows() == 0 {
		return errors.New("no training rows")
	}
	for i, h := range f.halfLives {
		for _, l := range cfg.Lambdas {
			coefs, err := f.ridgeOf(i).Solve(l)
			if err != nil {
				cfg.Log.Warn("ridge penalty skipped", "lambda", l, "half_life_days", h, "err", err)
				continue
			}
			for t, coef := range coefs {
				r := f.ridgeOf(i)
				sigma2 := r.RSS(coef, t) / r.Weight()
				f.cands = append(f.cands, &candidate{lambda: l, scale: f.scales[t], halfLife: h, coef: coef,
					offsets: f.lanes[i].offsets(coef, t, sigma2), spread: f.peakSpread(coef, t),
					drift: f.weeks.driftSpread(coef, t, sigma2, calibWeeks, testWeeks)})
			}
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
	c := &fitAcc{scales: f.scales, halfLives: f.halfLives, ridge: f.ridge.without(drop), peak: f.peak.without(drop), off: f.off.without(drop),
		weeks:   newLaneStats(f.weeks.shared, len(f.scales)),
		decayed: make([]*Ridge, len(f.decayed)), lanes: make([]*laneStats, len(f.lanes))}
	for i, r := range f.decayed {
		if r != nil {
			c.decayed[i] = r.without(drop)
		}
	}
	c.weeks.merge(f.weeks)
	for _, s := range c.weeks.lanes {
		for _, i := range drop {
			s.sumX.zero(i)
		}
	}
	for h, l := range f.lanes {
		c.lanes[h] = newLaneStats(l.shared, len(f.scales))
		c.lanes[h].merge(l)
		for _, s := range c.lanes[h].lanes {
			for _, i := range drop {
				s.sumX.zero(i)
			}
		}
	}
	return c
}

func (f *fitAcc) merge(o *fitAcc) {
	f.ridge.merge(o.ridge)
	for i, r := range f.decayed {
		if r != nil {
			r.merge(o.decayed[i])
		}
	}
	f.peak.merge(o.peak)
	f.off.merge(o.off)
	f.weeks.merge(o.weeks)
	for i, l := range f.lanes {
		l.merge(o.lanes[i])
	}
}

// best is the candidate with the lowest calibration MAE, as a Fit without
// its residuals (the calibration pass sets them).
func (f *fitAcc) best(wt *[censorDays]float64) (*Fit, []LambdaScore) {
	var best *candidate
	var bestMAE float64
	var scores []LambdaScore
	for _, c := range f.cands {
		if c.n == 0 {
			continue
		}
		mae := c.mae(wt)
		scores = append(scores, LambdaScore{Lambda: c.lambda, TargetScale: c.scale, HalfLifeDays: c.halfLife, LaneDate: c.laneDate,
			MAEHours: mae})
		if best == nil || mae < bestMAE {
			best, bestMAE = c, mae
		}
	}
	if best == nil {
		return nil, nil
	}
	return &Fit{Rows: f.ridge.Rows(), Lambda: best.lambda, TargetScale: best.scale, HalfLifeDays: best.halfLife, LaneDate: best.laneDate, Coef: best.coef,
		LaneOffsets: best.offsets, PeakSpread: best.spread, DriftSpread: best.drift}, scores
}

// candidate is one half-life's, ridge penalty's and target scale's fit,
// scored on the calibration slice.
type candidate struct {
	lambda, scale float64
	halfLife      float64 // days; 0 is no decay
	laneDate      bool    // fitted with the area pairs and the lane date
	coef          []float64
	offsets       map[string]float64
	spread        float64 // peak-season residual scale
	drift         float64 // the drift margin's standard deviation
	// The calibration errors: in all, and by the snapshot's follow-up
	// day (hours to its delivery), which the censoring weighs.
	absErr float64
	n      int
	errDay [censorDays]float64
	nDay   [censorDays]float64
}

// clone is a candidate with the same fit and empty counters.
func (c *candidate) clone() *candidate {
	d := *c
	d.absErr, d.n, d.errDay, d.nDay = 0, 0, [censorDays]float64{}, [censorDays]float64{}
	return &d
}

func (c *candidate) merge(o *candidate) {
	c.absErr += o.absErr
	c.n += o.n
	for d := range c.errDay {
		c.errDay[d] += o.errDay[d]
		c.nDay[d] += o.nDay[d]
	}
}

// add counts one calibration snapshot's error; day is its follow-up bin.
func (c *candidate) add(absErr float64, day int) {
	c.n++
	c.absErr += absErr
	c.errDay[day] += absErr
	c.nDay[day]++
}

// mae is the candidate's calibration MAE, each delivery weighed by the
// inverse of the chance that one as far off was seen before the cut-off
// (censoring.weights); nil weights count every delivery once.
func (c *candidate) mae(wt *[censorDays]float64) float64 {
	if wt == nil {
		return c.absErr / float64(c.n)
	}
	var e, n float64
	for d, w := range wt {
		e += w * c.errDay[d]
		n += w * c.nDay[d]
	}
	if n == 0 {
		return c.absErr / float64(c.n)
	}
	return e / n
}
