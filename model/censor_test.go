package model_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

func TestCensorWeights(t *testing.T) {
	for _, tc := range []struct {
		name                string
		censored, delivered []float64
		want                []float64 // the first days' weights
	}{
		{"nothing censored", nil, []float64{5, 3, 2}, []float64{1, 1, 1, 1}},
		// Day 0: 4 at risk, 1 censored, so G = 3/4 after it; day 1: 2 at
		// risk, 1 censored, G = 3/8.
		{"censored each day", []float64{1, 1}, []float64{1, 0, 1}, []float64{1, 4.0 / 3, 8.0 / 3, 8.0 / 3}},
		// All but one censored on day 0: G would be 1/100; the weight is
		// capped at 10.
		{"capped", []float64{99}, []float64{0, 1}, []float64{1, 10, 10}},
		{"empty", nil, nil, []float64{1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := model.CensorWeights(tc.censored, tc.delivered)
			for d, w := range tc.want {
				if math.Abs(got[d]-w) > 1e-12 {
					t.Errorf("day %d weight %g, want %g (all %v)", d, got[d], w, got[:len(tc.want)])
				}
			}
		})
	}
}

// cutOffSpy records what a training run is handed before the cut-off: a
// delivery at or after it, or an in-flight scan from it on, reaching the
// fit, the penalty choice or the calibration is a leak.
type cutOffSpy struct {
	*modeltest.Mem
	cutOff time.Time

	mu       sync.Mutex
	leaks    []string
	inFlight int // journeys handed out as in flight
	before   int // journeys handed to the passes before the cut-off
}

func (s *cutOffSpy) Delivered(ctx context.Context, from, to, before time.Time, fn func(*model.Journey) error) error {
	return s.Mem.Delivered(ctx, from, to, before, func(j *model.Journey) error {
		if from.Before(s.cutOff) {
			at, _ := j.DeliveredAt()
			s.mu.Lock()
			s.before++
			if !at.Before(s.cutOff) {
				s.leaks = append(s.leaks, fmt.Sprintf("%s delivered %s read by a pass of [%s, %s)", j.TrackingNumber, at, from, to))
			}
			s.mu.Unlock()
		}
		return fn(j)
	})
}

func (s *cutOffSpy) InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	return s.Mem.InFlight(ctx, from, to, asOf, func(j *model.Journey) error {
		s.mu.Lock()
		s.inFlight++
		for _, sc := range j.Scans {
			if !sc.Time.Before(s.cutOff) {
				s.leaks = append(s.leaks, fmt.Sprintf("%s in flight: scan %s at %s read", j.TrackingNumber, sc.Status, sc.Time))
			}
		}
		s.mu.Unlock()
		return fn(j)
	})
}

// TestTrainReadsNoOutcomeAfterCutOff checks that the fit, the penalty
// choice and the calibration see only deliveries before the test slice
// starts, and of the shipments in flight then only their earlier scans.
func TestTrainReadsNoOutcomeAfterCutOff(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 3, Shipments: 3000, Days: 60})
	h, _, _ := src.Split(context.Background())
	for _, tc := range []struct {
		name string
		cfg  func(*model.TrainConfig)
	}{
		{"default split", func(*model.TrainConfig) {}},
		{"test from", func(c *model.TrainConfig) { c.TestFrom = h.TrainFrom.AddDate(0, 0, 45) }},
		{"test from, 10 calibration days", func(c *model.TrainConfig) {
			c.TestFrom, c.CalibrationDays = h.TrainFrom.AddDate(0, 0, 40), 10
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := model.DefaultTrainConfig()
			tc.cfg(&cfg)
			w, err := cfg.SplitOf(h)
			if err != nil {
				t.Fatal(err)
			}
			spy := &cutOffSpy{Mem: src, cutOff: w.CalibTo}
			if _, err := model.Train(context.Background(), spy, cfg); err != nil {
				t.Fatal(err)
			}
			for i, l := range spy.leaks {
				if i == 5 {
					t.Errorf("… %d leaks in all", len(spy.leaks))
					break
				}
				t.Errorf("leak: %s", l)
			}
			if spy.inFlight == 0 || spy.before == 0 {
				t.Errorf("%d journeys in flight at the cut-off, %d before it: want some of each", spy.inFlight, spy.before)
			}
		})
	}
}

// TestCensoringHoldsCoverageInPeak cuts the history in the middle of the
// peak season, as transit times grow: the calibration slice's slow
// shipments are still in flight at the cut-off. Weighted by the censoring
// the interval's coverage on the test slice stays near 80%; the
// unweighted residuals of the deliveries seen (the fast ones) give a
// narrower interval.
func TestCensoringHoldsCoverageInPeak(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice on 20,000 shipments")
	}
	src := modeltest.NewMem(sim.Config{Seed: 11, Shipments: 20000, Start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Days: 110})
	cfg := model.DefaultTrainConfig()
	cfg.TestFrom, cfg.CalibrationDays = time.Date(2025, 12, 8, 0, 0, 0, 0, time.UTC), 14
	train := func(weighted bool) model.Metrics {
		defer model.SetCensorWeighting(weighted)()
		m, err := model.Train(context.Background(), src, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m.Metrics
	}
	with, without := train(true), train(false)
	t.Logf("p10–p90 coverage on the test slice: %.3f with the censoring weights, %.3f without; p95 on time %.3f and %.3f",
		with.Coverage80, without.Coverage80, with.P95OnTime, without.P95OnTime)
	if with.Coverage80 < 0.77 || with.Coverage80 > 0.83 {
		t.Errorf("coverage with censoring weights %.3f, want 0.80 ± 0.03", with.Coverage80)
	}
	if math.Abs(with.Coverage80-0.8) >= math.Abs(without.Coverage80-0.8) {
		t.Errorf("censoring weights bring coverage no nearer 0.80: %.3f with, %.3f without", with.Coverage80, without.Coverage80)
	}
}
