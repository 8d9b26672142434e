package model

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// TrainConfig tunes a training run.
type TrainConfig struct {
	// Lambdas are the ridge penalties tried and TargetScales the target
	// scales (hours; see Fit.TargetScale): every pair is fitted, and the
	// one with the lowest MAE on the calibration slice is kept. The test
	// slice never chooses.
	Lambdas      []float64
	TargetScales []float64
	// MinShipments refuses to train on less history than this.
	MinShipments int
	// Workers is how many goroutines share each pass; one per CPU when 0.
	Workers int
	// ProgressEvery is how often long passes log their progress.
	ProgressEvery time.Duration
	Log           *slog.Logger
	Now           func() time.Time
}

func (c *TrainConfig) defaults() {
	if len(c.Lambdas) == 0 {
		c.Lambdas = []float64{0.1, 1, 10, 100, 1000}
	}
	if len(c.TargetScales) == 0 {
		c.TargetScales = []float64{1, 6, 24, 48}
	}
	if c.MinShipments == 0 {
		c.MinShipments = 100
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = 5 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Source is the transit history a model is trained on.
type Source interface {
	Split(ctx context.Context) (Window, int, error)
	Vocabulary(ctx context.Context, from, to time.Time) (Vocabulary, error)
	Delivered(ctx context.Context, from, to, deliveredBefore time.Time, fn func(*Journey) error) error
}

// ErrNotEnoughHistory is returned when there are too few delivered
// shipments to train on.
var ErrNotEnoughHistory = errors.New("not enough delivered shipments to train")

// minSegmentRows is the least calibration rows a residual segment needs
// to get its own quantiles; smaller segments use the next, wider one.
const minSegmentRows = 300

// Train fits a model on the oldest 70% of delivered shipments (by first
// scan), chooses the penalty and target scale and calibrates the interval
// on the next 10%, and backtests on the newest 20%. A shipment is trained on only if it was
// delivered before the calibration slice ends, so no label from the test
// period reaches the fit, the penalty or the interval. Each pass spreads
// the shipments over Workers goroutines and merges their sums.
func Train(ctx context.Context, src Source, cfg TrainConfig) (*Model, error) {
	cfg.defaults()
	w, n, err := src.Split(ctx)
	if err != nil {
		return nil, err
	}
	if n < cfg.MinShipments {
		return nil, fmt.Errorf("%w: %d delivered, need %d", ErrNotEnoughHistory, n, cfg.MinShipments)
	}
	vocab, err := src.Vocabulary(ctx, w.TrainFrom, w.TrainTo)
	if err != nil {
		return nil, err
	}
	m := &Model{
		FormatVersion: FormatVersion,
		FeatureSchema: FeatureSchema(),
		TrainedAt:     cfg.Now().UTC(),
		Window:        w,
		Features:      featureNames(vocab),
	}
	m.enc = NewEncoder(m.Features)
	m.Version = m.TrainedAt.Format("20060102T150405Z")
	nw := passWorkers(cfg.Workers)
	cfg.Log.Info("training", "shipments", n, "features", len(m.Features), "workers", nw,
		"train_from", w.TrainFrom, "train_to", w.TrainTo, "test_from", w.CalibTo)

	// Pass 1, train slice: for each fit the normal equations and each
	// lane's sums for its empirical-Bayes offset; the baselines and the
	// dwell times. The lane fit sees every shipment with its promise
	// hidden, the promise fit the shipments that have one.
	fitters := make([]*fitWorker, nw)
	workers := make([]passWorker, nw)
	for i := range fitters {
		fitters[i] = newFitWorker(m, w.TrainTo, cfg.TargetScales)
		workers[i] = fitters[i]
	}
	prog := newProgress(cfg, "fit")
	if err := runPass(ctx, src, w.TrainFrom, w.TrainTo, w.CalibTo, workers, prog); err != nil {
		return nil, fmt.Errorf("train pass: %w", err)
	}
	fit := fitters[0]
	for _, o := range fitters[1:] {
		fit.merge(o)
	}
	// The promise fit is the shipments with a promise; the lane fit is
	// every shipment without its promise: the others plus the promised
	// ones' sums with the promise features taken out.
	fits := [2]*fitAcc{fit.fits[0], fit.fits[1]}
	fits[0].merge(fits[1].withoutFeatures(m.enc.promiseFeatures()))
	m.Metrics.TrainRows = fits[0].ridge.Rows() // every train snapshot, in the lane fit
	prog.done(m.Metrics.TrainRows)
	m.Baselines = fit.base.finish()
	m.Dwell = fit.dwell.finish()
	// The two fits' factorizations are independent: one goroutine each.
	var solveErrs [2]error
	var wg sync.WaitGroup
	for i, f := range fits {
		wg.Go(func() { solveErrs[i] = f.solve(cfg) })
	}
	wg.Wait()
	if solveErrs[0] != nil { // the promise fit is optional
		return nil, solveErrs[0]
	}

	// Pass 2, calibration slice: every candidate's error; the best penalty
	// and target scale of each fit are kept. Up to selectShipments
	// shipments are scored: past that, one in every.
	every := uint32(max(1, n/10/selectShipments))
	selectors := make([]*selectWorker, nw)
	for i := range selectors {
		selectors[i] = newSelectWorker(m, fits, every)
		workers[i] = selectors[i]
	}
	prog = newProgress(cfg, "select")
	if err := runPass(ctx, src, w.TrainTo, w.CalibTo, farFuture, workers, prog); err != nil {
		return nil, fmt.Errorf("selection pass: %w", err)
	}
	for _, c := range selectors {
		for i, f := range fits {
			for k, cand := range f.cands {
				cand.merge(c.cands[i][k])
			}
		}
	}
	prog.done(fits[0].cands[0].n)
	if fits[0].cands[0].n == 0 {
		return nil, fmt.Errorf("%w: calibration slice is empty", ErrNotEnoughHistory)
	}
	for i, f := range fits {
		fit, scores := f.best()
		if fit == nil {
			continue
		}
		if i == 0 {
			m.Lane = fit
		} else {
			m.Promise = fit
		}
		for _, sc := range scores {
			sc.Fit = [2]string{"lane", "promise"}[i]
			m.Metrics.Lambdas = append(m.Metrics.Lambdas, sc)
		}
		cfg.Log.Info("penalty and target scale chosen on the calibration slice", "fit", [2]string{"lane", "promise"}[i],
			"lambda", fit.Lambda, "target_scale_hours", fit.TargetScale)
	}
	if m.Lane == nil {
		return nil, fmt.Errorf("%w: no calibration rows for the lane fit", ErrNotEnoughHistory)
	}

	// Pass 3, calibration slice again: the chosen fits' residuals set the
	// interval (split-conformal).
	calibs := make([]*calibWorker, nw)
	for i := range calibs {
		calibs[i] = newCalibWorker(m)
		workers[i] = calibs[i]
	}
	prog = newProgress(cfg, "calibrate")
	if err := runPass(ctx, src, w.TrainTo, w.CalibTo, farFuture, workers, prog); err != nil {
		return nil, fmt.Errorf("calibration pass: %w", err)
	}
	for _, c := range calibs[1:] {
		calibs[0].merge(c)
	}
	for _, c := range calibs {
		m.Metrics.CalibRows += c.rows
	}
	prog.done(m.Metrics.CalibRows)
	calibs[0].finish()

	// Pass 4, test slice: the backtest against the baselines, as served
	// and with the promise hidden.
	testers := make([]*testWorker, nw)
	for i := range testers {
		testers[i] = newTestWorker(m)
		workers[i] = testers[i]
	}
	prog = newProgress(cfg, "backtest")
	if err := runPass(ctx, src, w.CalibTo, w.TestTo, farFuture, workers, prog); err != nil {
		return nil, fmt.Errorf("test pass: %w", err)
	}
	bt, hidden := testers[0].bt, testers[0].hidden
	for _, o := range testers[1:] {
		bt.merge(o.bt)
		hidden.merge(o.hidden)
	}
	prog.done(bt.all.n)
	bt.fill(&m.Metrics)
	m.Metrics.WithoutPromise = hidden.all.score()
	return m, nil
}

// fitWorker is one goroutine's share of the train pass.
type fitWorker struct {
	m         *Model
	fits      [2]*fitAcc // shipments without a promise, with one
	base      *baselineAcc
	dwell     *dwellAcc
	row       Row
	ys        []float64 // a row's target on every scale
	logScales []float64
}

func newFitWorker(m *Model, trainTo time.Time, scales []float64) *fitWorker {
	p := len(m.Features)
	w := &fitWorker{m: m, fits: [2]*fitAcc{newFitAcc(p, scales), newFitAcc(p, scales)}, base: newBaselineAcc(trainTo),
		dwell: newDwellAcc(), ys: make([]float64, len(scales)), logScales: make([]float64, len(scales))}
	for t, c := range scales {
		w.logScales[t] = math.Log(c)
	}
	return w
}

func (w *fitWorker) journey(j *Journey) {
	w.dwell.add(j)
	// Each row goes to one accumulator: with its promise, or without one.
	// The lane fit's sums are derived after the pass (laneFit).
	acc := w.fits[0]
	if !j.Promised.IsZero() {
		acc = w.fits[1]
	}
	lane := acc.lanes.get(laneKeyOf(j))
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

// selectShipments is how many calibration shipments are enough to choose
// among the candidates; a larger slice is sampled.
const selectShipments = 10_000

// selectWorker is one goroutine's share of the selection pass: its own
// copy of every candidate's error sums.
type selectWorker struct {
	m        *Model
	cands    [2][]*candidate
	offs     [2][]float64 // the candidates' offsets of the current lane
	row, hid Row
	every    uint32 // scores the shipments whose tracking number hashes to 0 mod every
}

func newSelectWorker(m *Model, fits [2]*fitAcc, every uint32) *selectWorker {
	w := &selectWorker{m: m, every: every}
	for i, f := range fits {
		for _, c := range f.cands {
			w.cands[i] = append(w.cands[i], c.clone())
		}
	}
	return w
}

func (w *selectWorker) journey(j *Journey) {
	if w.every > 1 && crc32.ChecksumIEEE([]byte(j.TrackingNumber))%w.every != 0 {
		return
	}
	key := laneKeyOf(j)
	promised := !j.Promised.IsZero()
	var offs [2][]float64
	for i, cands := range w.cands {
		offs[i] = w.offs[i][:0]
		for _, c := range cands {
			offs[i] = append(offs[i], c.offsets[key])
		}
		w.offs[i] = offs[i]
	}
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			score(w.cands[1], &w.row, offs[1], hoursLeft)
		}
		score(w.cands[0], laneRow, offs[0], hoursLeft)
	})
}

// score adds one calibration snapshot's error to every candidate. offs
// are the candidates' offsets of the snapshot's lane.
func score(cands []*candidate, row *Row, offs []float64, hoursLeft float64) {
	for k, c := range cands {
		y := row.Dot(c.coef) + offs[k]
		c.n++
		c.absErr += math.Abs(fromTarget(y, c.scale) - hoursLeft)
	}
}

// calibWorker is one goroutine's share of the calibration pass: the
// chosen fits' residuals per segment.
type calibWorker struct {
	m        *Model
	fits     [2]*Fit // lane, promise (nil without promised shipments)
	resid    [2]map[segID]*hist
	row, hid Row
	rows     int
}

func newCalibWorker(m *Model) *calibWorker {
	return &calibWorker{m: m, fits: [2]*Fit{m.Lane, m.Promise}, resid: [2]map[segID]*hist{{}, {}}}
}

func (w *calibWorker) journey(j *Journey) {
	key := laneKeyOf(j)
	promised := !j.Promised.IsZero() && w.fits[1] != nil
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := w.m.enc.encodeBoth(s, &w.row, &w.hid)
		if promised {
			w.add(1, &w.row, key, s, hoursLeft)
		}
		w.add(0, laneRow, key, s, hoursLeft)
		w.rows++
	})
}

// add records one residual of fit i; peak-season ones are scaled down by
// the fit's peak spread (a normalized conformal score).
func (w *calibWorker) add(i int, row *Row, lane string, s *Snapshot, hoursLeft float64) {
	f := w.fits[i]
	y := row.Dot(f.Coef) + f.LaneOffsets[lane]
	r := (toTarget(hoursLeft, f.TargetScale) - y) / f.scale(s)
	id := segID{s.Carrier, s.Service, int8(stageIndex(s.Status)), int8(horizonIndex(fromTarget(y, f.TargetScale)))}
	h, ok := w.resid[i][id]
	if !ok {
		h = newResidualHist()
		w.resid[i][id] = h
	}
	h.add(r, 1)
}

func (w *calibWorker) merge(o *calibWorker) {
	for i, m := range o.resid {
		for id, h := range m {
			if mine, ok := w.resid[i][id]; ok {
				mine.merge(h)
			} else {
				w.resid[i][id] = h
			}
		}
	}
}

// finish sets the fits' residual quantiles.
func (w *calibWorker) finish() {
	for i, f := range w.fits {
		if f != nil {
			f.Residuals = quantiles(w.resid[i])
		}
	}
}

// testWorker is one goroutine's share of the backtest.
type testWorker struct {
	m          *Model
	bt, hidden *backtest
	row, hid   Row
	seg        [2]segCache                  // lane fit, promise fit
	levels     [len(ResidualLevels)]float64 // on the fit's target scale
}

func newTestWorker(m *Model) *testWorker {
	return &testWorker{m: m, bt: newBacktest(), hidden: newBacktest(), seg: [2]segCache{{}, {}}}
}

func (w *testWorker) journey(j *Journey) {
	w.bt.shipments++
	key := laneKeyOf(j)
	m := w.m
	lane := m.Baselines.laneTransitsOf(baselineKeysOf(j))
	var standard time.Time // the service standard's deadline, without a promise
	eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
		laneRow := m.enc.encodeBoth(s, &w.row, &w.hid)
		f := m.fitFor(s)
		row := &w.row
		if f == m.Lane {
			row = laneRow
		}
		f.predictLog(row, key, s, w.seg[fitIndex(m, f)], w.levels[:])
		est := m.Baselines.estimates(lane, s)
		w.bt.add(s.Carrier, s.Service, hoursLeft, w.levels[:], f.TargetScale, est)

		// As if the carrier had not promised: the lane fit and baselines.
		if s.Scans == 1 {
			first := *s
			first.Promised = time.Time{}
			standard = m.Baselines.standardDeadline(&first)
		}
		m.Lane.predictLog(laneRow, key, s, w.seg[0], w.levels[:])
		est[0] = math.Max(standard.Sub(s.At).Hours(), 0)
		w.hidden.add(s.Carrier, s.Service, hoursLeft, w.levels[:], m.Lane.TargetScale, est)
	})
}

var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// eachSnapshot calls fn for every scan before delivery with the hours that
// were left until delivery. The snapshot is reused between calls.
func eachSnapshot(j *Journey, fn func(*Snapshot, float64)) {
	delivered, ok := j.DeliveredAt()
	if !ok || len(j.Scans) == 0 {
		return
	}
	s := Snapshot{Carrier: j.Carrier, Service: j.Service,
		OriginArea: Area(j.Origin), DestArea: Area(j.Destination), Promised: j.Promised}
	for k, sc := range j.Scans {
		if !sc.Time.Before(delivered) || sc.Status == schemas.StatusDelivered {
			break
		}
		s.advance(j, k)
		fn(&s, delivered.Sub(sc.Time).Hours())
	}
}

// laneKey is the key of a snapshot's empirical-Bayes lane offset.
func laneKey(s *Snapshot) string {
	return Lane(s.Carrier, s.Service, s.OriginArea, s.DestArea)
}

func laneKeyOf(j *Journey) string {
	return Lane(j.Carrier, j.Service, Area(j.Origin), Area(j.Destination))
}

// stages are the names of the stageIndex values.
var stages = [4]string{"label", "transit", "last_mile", "exception"}

// stageIndex groups statuses whose residuals look alike.
func stageIndex(st schemas.Status) int {
	switch st {
	case schemas.StatusInfoReceived:
		return 0
	case schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted, schemas.StatusAvailableForPickup:
		return 2
	case schemas.StatusException:
		return 3
	}
	return 1
}

// horizons bucket an estimate's hours: residuals spread more the further
// the delivery is.
var horizons = []string{"<12h", "<36h", "<84h", "84h+"}

func horizonIndex(h float64) int {
	switch {
	case h < 12:
		return 0
	case h < 36:
		return 1
	case h < 84:
		return 2
	}
	return 3
}

// segmentKeys are the residual segments of a carrier's and service's
// prediction at a stage and horizon (indexes of stages and horizons),
// from most to least specific: carrier|service|stage|horizon,
// carrier|stage|horizon, carrier|horizon, carrier, all.
func segmentKeys(carrier, service string, stage, horizon int) [5]string {
	s, h := stages[stage], horizons[horizon]
	return [5]string{carrier + "|" + service + "|" + s + "|" + h, carrier + "|" + s + "|" + h, carrier + "|" + h, carrier, "*"}
}

// segCache holds, for one fit, the residual quantiles it resolved for
// every carrier, service, stage and horizon, so the backtest's loops
// build no keys and make one lookup per snapshot. One per goroutine and
// fit; a nil cache resolves each time.
type segCache map[[2]string]*[4][4][]float64

// residuals are f's residual quantiles for a snapshot of carrier and
// service at status st with the given hours to go (Fit.residuals).
func (c segCache) residuals(f *Fit, carrier, service string, st schemas.Status, hours float64) []float64 {
	si, hi := stageIndex(st), horizonIndex(hours)
	if c == nil {
		k := segmentKeys(carrier, service, si, hi)
		return f.residuals(&k)
	}
	cs := [2]string{carrier, service}
	t, ok := c[cs]
	if !ok {
		t = new([4][4][]float64)
		for s := range stages {
			for h := range horizons {
				k := segmentKeys(carrier, service, s, h)
				t[s][h] = f.residuals(&k)
			}
		}
		c[cs] = t
	}
	return t[si][hi]
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

func newFitAcc(p int, scales []float64) *fitAcc {
	k := len(scales)
	return &fitAcc{scales: scales, ridge: NewRidge(p, k), peak: NewRidge(p, k), lanes: newLaneStats(p, k)}
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
	c := &fitAcc{scales: f.scales, ridge: f.ridge.without(drop), peak: f.peak.without(drop), lanes: newLaneStats(f.ridge.p, len(f.scales))}
	c.lanes.merge(f.lanes)
	for _, s := range c.lanes.lanes {
		for _, i := range drop {
			s.sumX[i] = 0
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

// segID is a calibration row's most specific residual segment.
type segID struct {
	carrier, service string
	stage, horizon   int8
}

// keys are the segments it belongs to.
func (id segID) keys() [5]string {
	return segmentKeys(id.carrier, id.service, int(id.stage), int(id.horizon))
}

func newResidualHist() *hist { return newHist(-5, 5, 0.005) }

// quantiles are the residual quantiles of every segment with enough rows,
// each segment's histogram the sum of its most specific ones. Every level
// but the median is moved outward by its sampling error (conservativeLevel).
func quantiles(resid map[segID]*hist) map[string][]float64 {
	groups := map[string]*hist{}
	for id, h := range resid {
		for _, k := range id.keys() {
			g, ok := groups[k]
			if !ok {
				g = newResidualHist()
				groups[k] = g
			}
			g.merge(h)
		}
	}
	out := map[string][]float64{}
	for k, h := range groups {
		if h.total < minSegmentRows && k != "*" {
			continue
		}
		q := make([]float64, len(ResidualLevels))
		for i, l := range ResidualLevels {
			q[i] = h.quantile(conservativeLevel(l, h.total))
		}
		out[k] = q
	}
	return out
}

// confidenceZ is the one-sided 95% normal quantile: how sure a calibrated
// level should be to hold on new data.
const confidenceZ = 1.645

// conservativeLevel moves residual level l away from the median by the
// standard error of a quantile estimated from n residuals, times
// confidenceZ: an upper bound (p90, the p95 commit) then holds on new data
// with about 95% confidence rather than half the time, and lower bounds
// likewise. It counts snapshots as independent; they are not (a
// shipment's snapshots share its luck), so the margin is a floor, not a
// guarantee.
func conservativeLevel(l, n float64) float64 {
	if l == 0.5 || n <= 0 {
		return l
	}
	m := confidenceZ * math.Sqrt(l*(1-l)/n)
	if l > 0.5 {
		return math.Min(l+m, 0.999)
	}
	return math.Max(l-m, 0.001)
}

// progress logs a long pass's shipments every so often.
type progress struct {
	log          *slog.Logger
	phase        string
	every        time.Duration
	start, last  time.Time
	calls, scans int
}

func newProgress(cfg TrainConfig, phase string) *progress {
	now := time.Now()
	return &progress{log: cfg.Log, phase: phase, every: cfg.ProgressEvery, start: now, last: now}
}

func (p *progress) tick(scans int) {
	p.calls++
	p.scans += scans
	if p.calls%1024 != 0 || time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.log.Info("training progress", "phase", p.phase, "shipments", p.calls, "scans", p.scans,
		"shipments_per_s", int(float64(p.calls)/time.Since(p.start).Seconds()))
}

func (p *progress) done(rows int) {
	p.log.Info("training phase done", "phase", p.phase, "shipments", p.calls, "rows", rows,
		"seconds", time.Since(p.start).Seconds())
}
