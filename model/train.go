package model

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// TrainConfig tunes a training run. Start from DefaultTrainConfig; Log
// and Now may be left nil.
type TrainConfig struct {
	// Lambdas are the ridge penalties tried and TargetScales the target
	// scales (hours; see Fit.TargetScale): every pair is fitted, and the
	// one with the lowest MAE on the calibration slice is kept. The test
	// slice never chooses. Train refuses a config without either.
	Lambdas      []float64
	TargetScales []float64
	// HalfLives are the time decays (days; 0 is none) of the training
	// rows' weights tried, recent history weighing more: each multiplies
	// the candidates above, and the calibration slice chooses. Empty is
	// no decay only.
	HalfLives []float64
	// MinShipments refuses to train on less history than this.
	MinShipments int
	// TestFrom starts the test slice (the backtest's cut-off); zero
	// leaves the newest 20% of shipments, by first scan, to it.
	// CalibrationDays is the calibration slice's length before it; 0
	// leaves it the 10% of shipments before the test slice, or a week
	// where that is shorter and the history allows. The train slice is
	// everything earlier. See SplitOf.
	TestFrom        time.Time
	CalibrationDays int
	// PromiseTarget is the on-time rate the commit is calibrated for,
	// from 0.5 to 0.99: the backtest scores its late rate and slack
	// beside those of PromiseTargets.
	PromiseTarget float64
	// Predictions, when set, gets every test snapshot's prediction as
	// the backtest scores it.
	Predictions PredictionWriter
	// Workers is how many goroutines share each pass; one per CPU when 0.
	Workers int
	// ProgressEvery is how often long passes log their progress.
	ProgressEvery time.Duration
	// Log gets the training's progress; nil discards it.
	Log *slog.Logger
	// Now stamps the model (TrainedAt, Version); time.Now when nil.
	Now func() time.Time
}

// DefaultTrainConfig is the configuration of a training run unless told
// otherwise: parcelcast train's flags start from it.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Lambdas:       []float64{0.1, 1, 10, 100, 1000},
		TargetScales:  []float64{1, 6, 24, 48},
		HalfLives:     []float64{0}, // decay is opt-in: docs/model.md, Drift
		PromiseTarget: DefaultPromiseTarget,
		MinShipments:  100,
		ProgressEvery: 5 * time.Second,
	}
}

// errNoCandidates is returned for a config that gives nothing to fit.
var errNoCandidates = errors.New("train: no ridge penalties or no target scales to try (start from DefaultTrainConfig)")

// Source is the transit history a model is trained on.
type Source interface {
	Split(ctx context.Context) (Window, int, error)
	Vocabulary(ctx context.Context, from, to time.Time) (Vocabulary, error)
	Delivered(ctx context.Context, from, to, deliveredBefore time.Time, fn func(*Journey) error) error
	// InFlight calls fn for every journey first scanned in [from, to)
	// that was not delivered before asOf, with only its scans before
	// asOf: what was known of it then. The calibration's censoring
	// weights count them.
	InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*Journey) error) error
}

// ErrNotEnoughHistory is returned when there are too few delivered
// shipments to train on.
var ErrNotEnoughHistory = errors.New("not enough delivered shipments to train")

// Train fits a model on the oldest 70% of delivered shipments (by first
// scan), chooses the penalty and target scale and calibrates the interval
// on the next 10%, and backtests on the newest 20%, or on the slices
// cfg.TestFrom and cfg.CalibrationDays set (SplitOf). A shipment is trained
// on, scored for the penalty or calibrated on only if it was delivered
// before the calibration slice ends (the cut-off), so no label from the
// test period reaches the fit, the penalty or the interval; the ones still
// in flight at the cut-off count in the interval as censored residuals. Each pass spreads the shipments over Workers goroutines and
// merges their sums.
func Train(ctx context.Context, src Source, cfg TrainConfig) (*Model, error) {
	if len(cfg.Lambdas) == 0 || len(cfg.TargetScales) == 0 {
		return nil, errNoCandidates
	}
	halfLives := cfg.HalfLives
	if len(halfLives) == 0 {
		halfLives = []float64{0}
	}
	for _, h := range halfLives {
		if !(h >= 0) || math.IsInf(h, 0) {
			return nil, fmt.Errorf("train: half-life %g days: want 0 (no decay) or a positive number", h)
		}
	}
	if cfg.PromiseTarget == 0 {
		cfg.PromiseTarget = DefaultPromiseTarget
	}
	if err := checkPromiseTarget(cfg.PromiseTarget); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h, n, err := src.Split(ctx)
	if err != nil {
		return nil, err
	}
	if n < cfg.MinShipments {
		return nil, fmt.Errorf("%w: %d delivered, need %d", ErrNotEnoughHistory, n, cfg.MinShipments)
	}
	w, err := cfg.SplitOf(h)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
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
		PromiseTarget: cfg.PromiseTarget,
	}
	m.enc = NewEncoder(m.Features)
	m.Version = m.TrainedAt.Format("20060102T150405Z")
	nw := passWorkers(cfg.Workers)
	cfg.Log.Info("training", "shipments", n, "features", len(m.Features), "workers", nw,
		"train_from", w.TrainFrom, "train_to", w.TrainTo, "test_from", w.CalibTo)

	// Pass 0, train slice: the peak weeks, the area pairs, the lane days
	// and the label delays, which the fit pass's features need. One log
	// transit time per shipment, no features.
	pk, err := runWorkers(ctx, src, cfg, "peaks", nw, w.TrainFrom, w.TrainTo, w.CalibTo, newPeakWorker)
	if err != nil {
		return nil, fmt.Errorf("peak pass: %w", err)
	}
	if peakLearning {
		m.Peaks = pk.finish()
		m.enc.peaks = m.Peaks
	}
	if pairLearning {
		m.Pairs, m.enc.foldPairs, m.LaneDays = pairsOf(&pk.pairs)
		m.LabelDelay = pk.labels.finish()
		m.enc.pairs, m.enc.laneDays, m.enc.labelDelay = m.Pairs, m.LaneDays, m.LabelDelay
	}
	if promiseNormalizing {
		m.PromiseSpread = pk.spreads()
	}

	// Pass 1, train slice: for each fit the normal equations and each
	// lane's sums for its empirical-Bayes offset; the baselines, the
	// dwell times and the deliveries' local hours for the day windows. The lane fit sees every shipment with its promise
	// hidden, the promise fit the shipments that have one.
	fit, err := runWorkers(ctx, src, cfg, "fit", nw, w.TrainFrom, w.TrainTo, w.CalibTo, func() *fitWorker {
		return newFitWorker(m, w.TrainTo, cfg.TargetScales, halfLives)
	})
	if err != nil {
		return nil, fmt.Errorf("train pass: %w", err)
	}
	// The promise fit is the shipments with a promise; the lane fit is
	// every shipment without its promise: the others plus the promised
	// ones' sums with the promise features taken out.
	fits := fit.fits
	fits[laneFit].merge(fits[promiseFit].withoutFeatures(m.enc.promiseFeatures()))
	// Each fit is also solved without the area pairs and the lane date
	// (the same sums with their rows and columns zeroed): the calibration
	// slice chooses between them as it chooses the penalty.
	var plain perFit[*fitAcc]
	if drop := m.enc.laneDateFeatures(); len(m.Pairs) > 0 && len(drop) > 0 {
		for k, f := range fits {
			plain[k] = f.withoutFeatures(drop)
		}
	}
	m.Metrics.TrainRows = fits[laneFit].ridge.Rows() // every train snapshot
	if m.Metrics.TrainRows == 0 {
		return nil, fmt.Errorf("%w: no shipment first scanned %s to %s was delivered before %s", ErrEmptySlice,
			w.TrainFrom.Format(time.DateOnly), w.TrainTo.Format(time.DateOnly), w.CalibTo.Format(time.DateOnly))
	}
	m.Ranges = fit.ranges.finish()
	m.enc.ranges = m.Ranges
	m.Baselines = fit.base.finish()
	m.Dwell = fit.dwell.finish()
	m.DwellLegs, m.OutForDelivery = fit.dwell.finishLegs(), fit.dwell.finishLeads()
	dayLearned := fit.day.finish()
	// The two fits' factorizations are independent: one goroutine each.
	var solveErrs perFit[error]
	var wg sync.WaitGroup
	for k, f := range fits {
		wg.Go(func() {
			solveErrs[k] = f.solve(cfg, spanWeeks(w.TrainTo, w.CalibTo), spanWeeks(w.CalibTo, w.TestTo))
			if p := plain[k]; p != nil && solveErrs[k] == nil {
				for _, c := range f.cands {
					c.laneDate = true
				}
				if p.solve(cfg, spanWeeks(w.TrainTo, w.CalibTo), spanWeeks(w.CalibTo, w.TestTo)) == nil {
					f.cands = append(f.cands, p.cands...)
				}
			}
		})
	}
	wg.Wait()
	if solveErrs[laneFit] != nil { // the promise fit is optional
		return nil, solveErrs[laneFit]
	}

	// Pass 2, calibration slice: every candidate's error; the best penalty
	// and target scale of each fit are kept. Up to selectShipments
	// shipments are scored: past that, one in every.
	every := uint32(max(1, n/10/selectShipments))
	// Only deliveries before the cut-off (the test slice's start) are read:
	// a model trained then could not have known the later ones.
	sel, err := runWorkers(ctx, src, cfg, "select", nw, w.TrainTo, w.CalibTo, w.CalibTo, func() *selectWorker {
		return newSelectWorker(m, fits, every)
	})
	if err != nil {
		return nil, fmt.Errorf("selection pass: %w", err)
	}
	for k, f := range fits {
		for i, cand := range f.cands {
			cand.merge(sel.cands[k][i])
		}
	}
	if fits[laneFit].cands[0].n == 0 {
		return nil, fmt.Errorf("%w: %w: calibration slice %s to %s is empty", ErrNotEnoughHistory, ErrEmptySlice,
			w.TrainTo.Format(time.DateOnly), w.CalibTo.Format(time.DateOnly))
	}
	// The deliveries seen are the fast ones: each error weighs as many
	// snapshots as its delivery's follow-up stands for (censoring).
	if err := src.InFlight(ctx, w.TrainTo, w.CalibTo, w.CalibTo, func(j *Journey) error {
		sel.inFlight(j, w.CalibTo)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("selection pass: in flight at %s: %w", w.CalibTo.Format(time.DateOnly), err)
	}
	var selWeights *[censorDays]float64
	if selectWeighting {
		wt := sel.cens.weights()
		selWeights = &wt
	}
	for k := range fitKinds {
		best, scores := fits[k].best(selWeights)
		if best == nil {
			continue
		}
		if k == laneFit {
			m.Lane = best
		} else {
			m.Promise = best
		}
		for _, sc := range scores {
			sc.Fit = k.String()
			m.Metrics.Lambdas = append(m.Metrics.Lambdas, sc)
		}
		cfg.Log.Info("penalty and target scale chosen on the calibration slice", "fit", k.String(),
			"lambda", best.Lambda, "target_scale_hours", best.TargetScale, "half_life_days", best.HalfLifeDays, "lane_date", best.LaneDate)
	}
	if m.Lane == nil {
		return nil, fmt.Errorf("%w: no calibration rows for the lane fit", ErrNotEnoughHistory)
	}
	if robustRefitting {
		if err := m.chooseRobust(ctx, src, cfg, nw, every, fits, plain, spanWeeks(w.TrainTo, w.CalibTo), spanWeeks(w.CalibTo, w.TestTo)); err != nil {
			return nil, err
		}
	}

	// Pass 3, train slice again: the chosen fits' residuals by week, to
	// find the level the commit is read at so it holds the promise target
	// on the weeks after a cut-off (commitLevel). Up to commitShipments
	// shipments are read: past that, one in every.
	cw, err := runWorkers(ctx, src, cfg, "commit", nw, w.TrainFrom, w.TrainTo, w.CalibTo, func() *commitWorker {
		return newCommitWorker(m, uint32(max(1, n/commitShipments)))
	})
	if err != nil {
		return nil, fmt.Errorf("commit pass: %w", err)
	}
	chosen := perFit[*Fit]{m.Lane, m.Promise}
	for k, f := range chosen {
		if f == nil {
			continue
		}
		f.CommitLevel, f.PromiseCommitLevel = cw.levels(fitKind(k), cfg.PromiseTarget, spanWeeks(w.TrainTo, w.CalibTo), spanWeeks(w.CalibTo, w.TestTo))
		cfg.Log.Info("commit level found on the train slice", "fit", fitKind(k).String(), "target", cfg.PromiseTarget,
			"level", f.CommitLevel, "first_snapshot_level", f.PromiseCommitLevel)
	}

	// Pass 4, calibration slice again: the chosen fits' residuals set the
	// interval (split-conformal). The shipments still in flight at the
	// cut-off are censored: each of their snapshots says its residual is
	// above the one a delivery at the cut-off would have, and a
	// Kaplan–Meier estimate per segment takes both in (kmHist). The
	// quantiles are widened by each fit's drift margin (driftSpread).
	// Where the calibration slice shows nearly every delivery its
	// snapshots will have, each delivered residual is weighed by its
	// follow-up's censoring weight; where it does not, Kaplan–Meier on
	// the residuals places the in-flight snapshots (censorMethod).
	followWt := sel.cens.weights()
	var follow *[censorDays]float64
	if share := sel.cens.seenShare(&followWt); censorWeighting && share >= followShare {
		follow = &followWt
	}
	calib, err := runWorkers(ctx, src, cfg, "calibrate", nw, w.TrainTo, w.CalibTo, w.CalibTo, func() *calibWorker {
		c := newCalibWorker(m, dayLearned)
		c.follow = follow
		return c
	})
	if err != nil {
		return nil, fmt.Errorf("calibration pass: %w", err)
	}
	flying := newCalibWorker(m, nil)
	flying.follow = follow
	dayInFlight := newDayCalib()
	if err := src.InFlight(ctx, w.TrainTo, w.CalibTo, w.CalibTo, func(j *Journey) error {
		flying.inFlight(j, w.CalibTo)
		dayInFlight.inFlight(dayLearned, j, w.CalibTo)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("calibration pass: in flight at %s: %w", w.CalibTo.Format(time.DateOnly), err)
	}
	calib.merge(flying)
	m.Metrics.CalibRows = calib.rows()
	m.Metrics.CalibSeenShare = calib.finish()
	// The day windows' masses, chosen on the same deliveries and the
	// out-for-delivery days known missed at the cut-off.
	calib.day.merge(dayInFlight)
	m.DayWindows = dayLearned.finish(calib.day)
	cfg.Log.Info("delivery-day windows calibrated", "cells", len(m.DayWindows.Cells),
		"out_for_delivery_mass", m.DayWindows.OutForDelivery.Mass, "out_for_delivery_coverage", m.DayWindows.OutForDelivery.Coverage,
		"eta_day_mass", m.DayWindows.ETADay.Mass, "eta_day_coverage", m.DayWindows.ETADay.Coverage)

	// Pass 5, test slice: the backtest against the baselines, as served
	// and with the promise hidden.
	test, err := m.backtest(ctx, src, cfg, nw, cfg.Predictions)
	if err != nil {
		return nil, err
	}
	if test.rows() == 0 {
		return nil, fmt.Errorf("%w: no delivered shipment first scanned %s to %s", ErrEmptySlice,
			w.CalibTo.Format(time.DateOnly), w.TestTo.Format(time.DateOnly))
	}
	test.bt.fill(&m.Metrics, m.PromiseTarget)
	test.day.fill(&m.Metrics)
	m.Metrics.WithoutPromise = test.hidden.all.score()
	return m, nil
}

// Backtest runs m over its test slice again (from m.Window.CalibTo to
// TestTo) and writes every snapshot's prediction to out: the rows a
// training run with cfg.Predictions would have written. It returns how
// many it wrote.
func (m *Model) Backtest(ctx context.Context, src Source, cfg TrainConfig, out PredictionWriter) (int, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	test, err := m.backtest(ctx, src, cfg, passWorkers(cfg.Workers), out)
	if err != nil {
		return 0, err
	}
	return test.rows(), nil
}

// backtest is the test pass: the test slice's shipments scored, and
// their predictions written to out when it is set.
func (m *Model) backtest(ctx context.Context, src Source, cfg TrainConfig, nw int, out PredictionWriter) (*testWorker, error) {
	sink := newPredictionSink(out)
	test, err := runWorkers(ctx, src, cfg, "backtest", nw, m.Window.CalibTo, m.Window.TestTo, farFuture, func() *testWorker {
		return newTestWorker(m, sink)
	})
	if err == nil {
		err = sink.err()
	}
	if err != nil {
		return nil, fmt.Errorf("test pass: %w", err)
	}
	return test, nil
}

var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// eachSnapshot calls fn for every scan before delivery with the hours that
// were left until delivery. The snapshot is reused between calls.
func eachSnapshot(j *Journey, fn func(*Snapshot, float64)) {
	delivered, ok := j.DeliveredAt()
	if !ok || len(j.Scans) == 0 {
		return
	}
	s := j.snapshot()
	for k, sc := range j.Scans {
		if !sc.Time.Before(delivered) || sc.Status == schemas.StatusDelivered {
			break
		}
		s.advance(j, k)
		fn(&s, delivered.Sub(sc.Time).Hours())
	}
}
