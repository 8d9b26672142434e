package model

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// TrainConfig tunes a training run.
type TrainConfig struct {
	// Lambdas are the ridge penalties tried; the one with the lowest MAE on
	// the calibration slice is kept. The test slice never chooses.
	Lambdas []float64
	// MinShipments refuses to train on less history than this.
	MinShipments int
	// ProgressEvery is how often long passes log their progress.
	ProgressEvery time.Duration
	Log           *slog.Logger
	Now           func() time.Time
}

func (c *TrainConfig) defaults() {
	if len(c.Lambdas) == 0 {
		c.Lambdas = []float64{0.1, 1, 10, 100}
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
// to get its own quantiles; smaller segments use their carrier's.
const minSegmentRows = 300

// Train fits a model on the oldest 70% of delivered shipments (by first
// scan), chooses the penalty and calibrates the interval on the next 10%,
// and backtests on the newest 20%. A shipment is trained on only if it was
// delivered before the calibration slice ends, so no label from the test
// period reaches the fit, the penalty or the interval.
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
	cfg.Log.Info("training", "shipments", n, "features", len(m.Features),
		"train_from", w.TrainFrom, "train_to", w.TrainTo, "test_from", w.CalibTo)

	// Pass 1, train slice: for each fit the normal equations and each
	// lane's sums for its empirical-Bayes offset; the baselines and the
	// dwell times. The lane fit sees every shipment with its promise
	// hidden, the promise fit the shipments that have one.
	p := len(m.Features)
	fits := [2]*fitAcc{newFitAcc(p), newFitAcc(p)} // lane, promise
	base := newBaselineAcc(w.TrainTo)
	dwell := newDwellAcc()
	var row Row
	prog := newProgress(cfg, "fit")
	err = src.Delivered(ctx, w.TrainFrom, w.TrainTo, w.CalibTo, func(j *Journey) error {
		dwell.add(j)
		key := laneKeyOf(j)
		promised := !j.Promised.IsZero()
		lane := fits[0].lanes.get(key)
		lane.shipments++
		var prom *laneSum
		if promised {
			prom = fits[1].lanes.get(key)
			prom.shipments++
		}
		eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
			y := hoursTarget(hoursLeft)
			peak := s.inPeak()
			if promised {
				m.enc.Encode(s, &row)
				fits[1].add(&row, y, prom, peak)
			}
			hidden := *s
			hidden.Promised = time.Time{}
			if s.Scans == 1 {
				base.add(&hidden, hoursLeft)
			}
			m.enc.Encode(&hidden, &row)
			fits[0].add(&row, y, lane, peak)
		})
		prog.tick(fits[0].ridge.Rows() + fits[1].ridge.Rows())
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("train pass: %w", err)
	}
	m.Metrics.TrainRows = fits[0].ridge.Rows() + fits[1].ridge.Rows()
	prog.done(m.Metrics.TrainRows)
	m.Baselines = base.finish()
	m.Dwell = dwell.finish()
	for i, f := range fits {
		if err := f.solve(cfg); err != nil && i == 0 {
			return nil, err
		}
	}

	// Pass 2, calibration slice: every candidate's error and residuals;
	// the best penalty is kept and its residual quantiles set the interval.
	prog = newProgress(cfg, "calibrate")
	err = src.Delivered(ctx, w.TrainTo, w.CalibTo, farFuture, func(j *Journey) error {
		key := laneKeyOf(j)
		promised := !j.Promised.IsZero()
		eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
			if promised {
				m.enc.Encode(s, &row)
				fits[1].calibrate(&row, key, s, hoursLeft)
			}
			hidden := *s
			hidden.Promised = time.Time{}
			m.enc.Encode(&hidden, &row)
			fits[0].calibrate(&row, key, &hidden, hoursLeft)
			m.Metrics.CalibRows++
		})
		prog.tick(m.Metrics.CalibRows)
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("calibration pass: %w", err)
	}
	prog.done(m.Metrics.CalibRows)
	if m.Metrics.CalibRows == 0 {
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
		cfg.Log.Info("penalty chosen on the calibration slice", "fit", [2]string{"lane", "promise"}[i], "lambda", fit.Lambda)
	}
	if m.Lane == nil {
		return nil, fmt.Errorf("%w: no calibration rows for the lane fit", ErrNotEnoughHistory)
	}

	// Pass 3, test slice: the backtest against the baselines, as served
	// and with the promise hidden.
	bt, hidden := newBacktest(), newBacktest()
	prog = newProgress(cfg, "backtest")
	var levels [len(ResidualLevels)]float64
	err = src.Delivered(ctx, w.CalibTo, w.TestTo, farFuture, func(j *Journey) error {
		bt.shipments++
		eachSnapshot(j, func(s *Snapshot, hoursLeft float64) {
			noPromise := *s
			noPromise.Promised = time.Time{}
			for _, v := range []struct {
				b *backtest
				s *Snapshot
			}{{bt, s}, {hidden, &noPromise}} {
				m.predict(v.s, &row, levels[:])
				var est [3]float64
				for i, name := range BaselineNames {
					est[i] = m.Baselines.Baseline(name, v.s)
				}
				v.b.add(s.Carrier, s.Service, hoursLeft, levels[:], est)
			}
		})
		prog.tick(bt.all.n)
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("test pass: %w", err)
	}
	prog.done(bt.all.n)
	bt.fill(&m.Metrics)
	m.Metrics.WithoutPromise = hidden.all.score()
	return m, nil
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

// stages are the values of stage.
var stages = []string{"label", "transit", "last_mile", "exception"}

// stage groups statuses whose residuals look alike.
func stage(st schemas.Status) string {
	switch st {
	case schemas.StatusInfoReceived:
		return "label"
	case schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted, schemas.StatusAvailableForPickup:
		return "last_mile"
	case schemas.StatusException:
		return "exception"
	}
	return "transit"
}

// horizon buckets a log-scale estimate: residuals spread more the
// further the delivery is.
func horizon(y float64) string {
	switch h := targetHours(y); {
	case h < 12:
		return "<12h"
	case h < 36:
		return "<36h"
	case h < 84:
		return "<84h"
	}
	return "84h+"
}

// segmentKeys are the residual segments of a prediction from most to
// least specific: carrier|stage|horizon, carrier|horizon, carrier, all.
func segmentKeys(carrier string, st schemas.Status, y float64) [4]string {
	h := horizon(y)
	return [4]string{carrier + "|" + stage(st) + "|" + h, carrier + "|" + h, carrier, "*"}
}

// fitAcc accumulates one fit: its normal equations and lane sums, then
// one candidate per penalty scored on the calibration slice.
type fitAcc struct {
	ridge *Ridge
	peak  *Ridge // the peak-season rows again, for their residual spread
	lanes *laneStats
	cands []*candidate
}

func newFitAcc(p int) *fitAcc {
	return &fitAcc{ridge: NewRidge(p), peak: NewRidge(p), lanes: newLaneStats(p)}
}

func (f *fitAcc) add(row *Row, y float64, lane *laneSum, peak bool) {
	f.ridge.AddRow(row, y)
	if peak {
		f.peak.AddRow(row, y)
	}
	lane.add(row, y)
}

// peakSpread is how much wider residuals are in peak season than out of
// it on the train slice (at least 1): the scale of a normalized conformal
// interval, so a calibration slice without a peak still covers one.
func (f *fitAcc) peakSpread(coef []float64) float64 {
	np, n := f.peak.Rows(), f.ridge.Rows()
	if np < 1000 || n-np < 1000 {
		return 1
	}
	peak := f.peak.RSS(coef)
	vp := peak / float64(np)
	vo := (f.ridge.RSS(coef) - peak) / float64(n-np)
	if vo <= 0 || vp <= vo {
		return 1
	}
	return math.Sqrt(vp / vo)
}

// solve makes a candidate for every penalty that gives a solvable fit.
func (f *fitAcc) solve(cfg TrainConfig) error {
	if f.ridge.Rows() == 0 {
		return errors.New("no training rows")
	}
	for _, l := range cfg.Lambdas {
		coef, err := f.ridge.Solve(l)
		if err != nil {
			cfg.Log.Warn("ridge penalty skipped", "lambda", l, "err", err)
			continue
		}
		sigma2 := f.ridge.RSS(coef) / float64(f.ridge.Rows())
		f.cands = append(f.cands, &candidate{lambda: l, coef: coef, offsets: f.lanes.offsets(coef, sigma2),
			spread: f.peakSpread(coef), resid: map[string]*hist{}})
	}
	if len(f.cands) == 0 {
		return errors.New("no ridge penalty gave a solvable fit")
	}
	return nil
}

func (f *fitAcc) calibrate(row *Row, lane string, s *Snapshot, hoursLeft float64) {
	peak := s.inPeak()
	for _, c := range f.cands {
		y := row.Dot(c.coef) + c.offsets[lane]
		r := hoursTarget(hoursLeft) - y
		if peak {
			r /= c.spread
		}
		c.add(segmentKeys(s.Carrier, s.Status, y), r, math.Abs(targetHours(y)-hoursLeft))
	}
}

// best is the candidate with the lowest calibration MAE, as a Fit.
func (f *fitAcc) best() (*Fit, []LambdaScore) {
	var best *candidate
	var scores []LambdaScore
	for _, c := range f.cands {
		if c.n == 0 {
			continue
		}
		scores = append(scores, LambdaScore{Lambda: c.lambda, MAEHours: c.absErr / float64(c.n)})
		if best == nil || c.absErr < best.absErr {
			best = c
		}
	}
	if best == nil {
		return nil, nil
	}
	return &Fit{Rows: f.ridge.Rows(), Lambda: best.lambda, Coef: best.coef, LaneOffsets: best.offsets,
		Residuals: best.quantiles(), PeakSpread: best.spread}, scores
}

// candidate is one ridge penalty's fit, scored on the calibration slice.
type candidate struct {
	lambda  float64
	coef    []float64
	offsets map[string]float64
	spread  float64          // peak-season residual scale
	resid   map[string]*hist // segmentKeys → log residuals, peak ones scaled down
	absErr  float64
	n       int
}

func (c *candidate) add(segments [4]string, resid, absErr float64) {
	c.n++
	c.absErr += absErr
	for _, k := range segments {
		h, ok := c.resid[k]
		if !ok {
			h = newHist(-5, 5, 0.005)
			c.resid[k] = h
		}
		h.add(resid, 1)
	}
}

func (c *candidate) quantiles() map[string][]float64 {
	out := map[string][]float64{}
	for k, h := range c.resid {
		if h.total < minSegmentRows && k != "*" {
			continue
		}
		q := make([]float64, len(ResidualLevels))
		for i, l := range ResidualLevels {
			q[i] = h.quantile(l)
		}
		out[k] = q
	}
	return out
}

// progress logs a long pass's rows every so often.
type progress struct {
	log   *slog.Logger
	phase string
	every time.Duration
	start time.Time
	last  time.Time
	calls int
}

func newProgress(cfg TrainConfig, phase string) *progress {
	now := time.Now()
	return &progress{log: cfg.Log, phase: phase, every: cfg.ProgressEvery, start: now, last: now}
}

func (p *progress) tick(rows int) {
	p.calls++
	if p.calls%1024 != 0 || time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.log.Info("training progress", "phase", p.phase, "shipments", p.calls, "rows", rows,
		"rows_per_s", int(float64(rows)/time.Since(p.start).Seconds()))
}

func (p *progress) done(rows int) {
	p.log.Info("training phase done", "phase", p.phase, "shipments", p.calls, "rows", rows,
		"seconds", time.Since(p.start).Seconds())
}
