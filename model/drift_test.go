package model_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

func TestDecayWeight(t *testing.T) {
	for _, tc := range []struct {
		name          string
		age, halfLife float64
		want          float64
	}{
		{"no decay", 400, 0, 1},
		{"at the end of the train slice", 0, 30, 1},
		{"one half-life", 30, 30, 0.5},
		{"two half-lives", 180, 90, 0.25},
		{"a tenth of one", 3, 30, math.Pow(0.5, 0.1)},
		{"after the end", -5, 30, 1},
		{"half a year back, the farthest", 182.625, 30, math.Pow(0.5, 182.625/30)},
		{"a year back weighs as the end", 365.25, 30, 1},
		{"a half-life from a year back", 395.25, 30, 0.5},
		{"a half-life before a year back", 335.25, 30, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := model.DecayWeight(tc.age, tc.halfLife); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("DecayWeight(%g, %g) = %g, want %g", tc.age, tc.halfLife, got, tc.want)
			}
		})
	}
	// Counted from the end alone, a year back is twelve half-lives gone.
	defer model.SetSeasonalDecay(false)()
	if got, want := model.DecayWeight(365.25, 30), math.Pow(0.5, 365.25/30); math.Abs(got-want) > 1e-12 {
		t.Errorf("without the seasonal age DecayWeight(365.25, 30) = %g, want %g", got, want)
	}
}

// slowingHistory is simulated history whose transit times grow over the
// months: every scan after the first is moved later in proportion to its
// time since the first scan, by a factor rising linearly from 1 on the
// first day to 1+growth on the last. Promises are taken out, so only the
// history can tell the model how slow the present is.
func slowingHistory(cfg sim.Config, growth float64) *modeltest.Mem {
	src := modeltest.NewMem(cfg)
	span := time.Duration(cfg.Days) * 24 * time.Hour
	for i := range src.Journeys {
		j := &src.Journeys[i]
		j.Promised = time.Time{}
		if len(j.Scans) == 0 {
			continue
		}
		first := j.Scans[0].Time
		f := 1 + growth*float64(first.Sub(cfg.Start))/float64(span)
		for k := range j.Scans {
			j.Scans[k].Time = first.Add(time.Duration(float64(j.Scans[k].Time.Sub(first)) * f))
		}
	}
	return src
}

// TestDecayChosenUnderTrend trains on history whose transit times grow
// 2.5-fold over six months: the calibration slice should choose a finite
// half-life, and it should beat the same training without decay on the
// test slice.
func TestDecayChosenUnderTrend(t *testing.T) {
	cfg := sim.Config{Seed: 5, Shipments: 10000, Days: 180, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	src := slowingHistory(cfg, 1.5)
	ctx := context.Background()

	withDecay := model.DefaultTrainConfig()
	withDecay.HalfLives = []float64{0, 90, 30}
	decayed, err := model.Train(ctx, src, withDecay)
	if err != nil {
		t.Fatal(err)
	}
	flat := model.DefaultTrainConfig()
	flat.HalfLives = []float64{0}
	none, err := model.Train(ctx, src, flat)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("half-life %g d: MAE %.2f h, coverage %.3f; no decay: MAE %.2f h, coverage %.3f; lane median %.2f h",
		decayed.Lane.HalfLifeDays, decayed.Metrics.MAEHours, decayed.Metrics.Coverage80,
		none.Metrics.MAEHours, none.Metrics.Coverage80, decayed.Metrics.BaselineMAEHours)
	if decayed.Lane.HalfLifeDays <= 0 {
		t.Errorf("no decay chosen on a history that slows down")
	}
	if none.Lane.HalfLifeDays != 0 {
		t.Errorf("half-life %g chosen from {0}", none.Lane.HalfLifeDays)
	}
	if decayed.Metrics.MAEHours >= none.Metrics.MAEHours {
		t.Errorf("MAE with decay %.2f h is not below that without %.2f h", decayed.Metrics.MAEHours, none.Metrics.MAEHours)
	}
}

func TestTrainRefusesNegativeHalfLife(t *testing.T) {
	cfg := model.DefaultTrainConfig()
	cfg.HalfLives = []float64{0, -30}
	if _, err := model.Train(context.Background(), modeltest.NewMem(sim.Config{Seed: 3, Shipments: 300}), cfg); err == nil {
		t.Error("a negative half-life was accepted")
	}
}
