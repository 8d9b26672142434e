package model

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/parcelcast/parcelcast/schemas"
)

// TrainConfig tunes a training run.
type TrainConfig struct {
	// Lambda is the ridge penalty.
	Lambda float64
	// MinShipments refuses to train on less history than this.
	MinShipments int
	Log          *slog.Logger
	Now          func() time.Time
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

// Train fits a model on the oldest 70% of delivered shipments (by first
// scan), calibrates its interval on the next 10% and backtests it on the
// newest 20%. A shipment is trained on only if it was delivered before the
// test slice starts, so no label from the test period leaks into the fit.
func Train(ctx context.Context, src Source, cfg TrainConfig) (*Model, error) {
	if cfg.Lambda == 0 {
		cfg.Lambda = 1
	}
	if cfg.MinShipments == 0 {
		cfg.MinShipments = 100
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
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
		Lambda:        cfg.Lambda,
		Window:        w,
		Features:      featureNames(vocab),
	}
	m.enc = NewEncoder(m.Features)
	m.Version = m.TrainedAt.Format("20060102T150405Z")
	cfg.Log.Info("training", "shipments", n, "features", len(m.Features),
		"train_from", w.TrainFrom, "train_to", w.TrainTo, "test_from", w.CalibTo)

	// Pass 1: accumulate the normal equations on the train slice, and each
	// lane's transit times for the baseline.
	ridge := NewRidge(len(m.Features))
	x := make([]float64, len(m.Features))
	laneTransit := map[string][]float64{}
	err = src.Delivered(ctx, w.TrainFrom, w.TrainTo, w.CalibTo, func(j *Journey) error {
		eachSnapshot(j, func(s Snapshot, hoursLeft float64) {
			m.enc.Encode(s, x)
			ridge.Add(x, hoursTarget(hoursLeft))
			if s.Scans == 1 { // at the first scan, hours left is the whole transit
				for _, key := range baselineKeys(s) {
					laneTransit[key] = append(laneTransit[key], hoursLeft)
				}
			}
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("train pass: %w", err)
	}
	m.Metrics.TrainRows = ridge.Rows()
	if m.Coef, err = ridge.Solve(cfg.Lambda); err != nil {
		return nil, err
	}
	m.LaneMedianHours = make(map[string]float64, len(laneTransit))
	for k, v := range laneTransit {
		sort.Float64s(v)
		m.LaneMedianHours[k] = stat.Quantile(0.5, stat.Empirical, v, nil)
	}

	// Pass 2: residual quantiles on the calibration slice.
	var resid []float64
	m.Residuals = Quantiles{}
	err = src.Delivered(ctx, w.TrainTo, w.CalibTo, farFuture, func(j *Journey) error {
		eachSnapshot(j, func(s Snapshot, hoursLeft float64) {
			m.enc.Encode(s, x)
			resid = append(resid, hoursTarget(hoursLeft)-dot(x, m.Coef))
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calibration pass: %w", err)
	}
	if len(resid) == 0 {
		return nil, fmt.Errorf("%w: calibration slice is empty", ErrNotEnoughHistory)
	}
	sort.Float64s(resid)
	m.Residuals = Quantiles{
		P10: stat.Quantile(0.10, stat.Empirical, resid, nil),
		P50: stat.Quantile(0.50, stat.Empirical, resid, nil),
		P90: stat.Quantile(0.90, stat.Empirical, resid, nil),
		P95: stat.Quantile(0.95, stat.Empirical, resid, nil),
	}
	m.Metrics.CalibRows = len(resid)

	// Pass 3: backtest on the test slice against the lane-median baseline.
	bt := newBacktest()
	err = src.Delivered(ctx, w.CalibTo, w.TestTo, farFuture, func(j *Journey) error {
		bt.shipments++
		eachSnapshot(j, func(s Snapshot, hoursLeft float64) {
			m.enc.Encode(s, x)
			bt.add(s.Carrier, hoursLeft, m.predictFeatures(x), m.Baseline(s))
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("test pass: %w", err)
	}
	bt.fill(&m.Metrics)
	return m, nil
}

var farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// eachSnapshot calls fn for every scan before delivery with the hours that
// were left until delivery.
func eachSnapshot(j *Journey, fn func(Snapshot, float64)) {
	delivered, ok := j.DeliveredAt()
	if !ok {
		return
	}
	for k, sc := range j.Scans {
		if !sc.Time.Before(delivered) || sc.Status == schemas.StatusDelivered {
			break
		}
		fn(j.SnapshotAt(k), delivered.Sub(sc.Time).Hours())
	}
}

// baselineKeys are the lane keys from most to least specific.
func baselineKeys(s Snapshot) []string {
	return []string{
		Lane(s.Carrier, s.Service, s.OriginArea, s.DestArea),
		Lane(s.Carrier, s.Service, "*", "*"),
		Lane("*", "*", "*", "*"),
	}
}

// Baseline is the lane-median estimate of hours left: the median transit
// of the lane from first scan to delivery, less the time already elapsed.
func (m *Model) Baseline(s Snapshot) float64 {
	for _, k := range baselineKeys(s) {
		if med, ok := m.LaneMedianHours[k]; ok {
			return math.Max(med-s.ElapsedHours, 0)
		}
	}
	return 0
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

type backtest struct {
	n, covered, onTime, shipments int
	absErr, baseAbsErr            float64
	byCarrier                     map[string][2]float64 // sum abs error, count
}

func newBacktest() *backtest { return &backtest{byCarrier: map[string][2]float64{}} }

func (b *backtest) add(carrier string, actual float64, p Prediction, base float64) {
	b.n++
	e := math.Abs(p.P50 - actual)
	b.absErr += e
	b.baseAbsErr += math.Abs(base - actual)
	if actual >= p.P10 && actual <= p.P90 {
		b.covered++
	}
	if actual <= p.P95 {
		b.onTime++
	}
	c := b.byCarrier[carrier]
	b.byCarrier[carrier] = [2]float64{c[0] + e, c[1] + 1}
}

func (b *backtest) fill(m *Metrics) {
	m.TestRows = b.n
	m.TestShipments = b.shipments
	if b.n == 0 {
		return
	}
	n := float64(b.n)
	m.MAEHours = b.absErr / n
	m.BaselineMAEHours = b.baseAbsErr / n
	m.Coverage80 = float64(b.covered) / n
	m.P95OnTime = float64(b.onTime) / n
	m.MAEByCarrier = map[string]float64{}
	for c, v := range b.byCarrier {
		m.MAEByCarrier[c] = v[0] / v[1]
	}
}
