package model_test

import (
	"context"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// TestTrainLearnsSimulatedPeak trains on sixteen months of simulated
// history, through one peak season, and tests on the next: the learned
// excess of the peak weeks is positive, and above an ordinary week's, and
// the test slice in peak is predicted better with it than without.
func TestTrainLearnsSimulatedPeak(t *testing.T) {
	if testing.Short() {
		t.Skip("trains twice on 16,000 shipments")
	}
	src := modeltest.NewMem(sim.Config{Seed: 5, Shipments: 16000, Start: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), Days: 475})
	cfg := model.DefaultTrainConfig()
	cfg.TestFrom, cfg.CalibrationDays = time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC), 21
	train := func(on bool) *model.Model {
		defer model.SetPeakLearning(on)()
		m, err := model.Train(context.Background(), src, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m, flat := train(true), train(false)
	t.Logf("test MAE %.2f h with the learned peak, %.2f h without; coverage %.3f and %.3f; %.1f%% below the lane median",
		m.Metrics.MAEHours, flat.Metrics.MAEHours, m.Metrics.Coverage80, flat.Metrics.Coverage80, 100*m.Metrics.Overall.Reduction(model.BaselineLaneMedian))
	days := []struct {
		name string
		day  time.Time
	}{
		{"ordinary week (2025-10-08)", time.Date(2025, 10, 8, 0, 0, 0, 0, time.UTC)},
		{"late November (2025-11-26)", time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)},
		{"December (2025-12-10)", time.Date(2025, 12, 10, 0, 0, 0, 0, time.UTC)},
	}
	ex := make([]float64, len(days))
	for i, d := range days {
		ex[i] = m.Peaks.PeakExcess("US", d.day)
		t.Logf("%s: peak feature %.3f (the same week of 2024)", d.name, ex[i])
	}
	if ex[2] <= 0.02 || ex[2] <= ex[0] {
		t.Errorf("December's learned excess %.3f, want above 0.02 and above an ordinary week's %.3f", ex[2], ex[0])
	}
	if m.Metrics.MAEHours >= flat.Metrics.MAEHours {
		t.Errorf("test MAE %.2f h with the learned peak, %.2f h without: the peak does not pay", m.Metrics.MAEHours, flat.Metrics.MAEHours)
	}
}
