package model_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

// collect keeps the predictions it is given; it fails after failAfter of
// them when that is set.
type collect struct {
	rows      []model.TestPrediction
	failAfter int
}

var errFull = errors.New("disk full")

func (c *collect) WritePrediction(p *model.TestPrediction) error {
	if c.failAfter > 0 && len(c.rows) == c.failAfter {
		return errFull
	}
	c.rows = append(c.rows, *p)
	return nil
}

// The backtest writes one prediction per test snapshot, in the test
// slice and as the model predicts it, and Backtest writes the same again
// from a saved model.
func TestPredictionsOnePerTestSnapshot(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 5, Shipments: 3000, Days: 60})
	var out collect
	cfg := model.DefaultTrainConfig()
	cfg.Predictions = &out
	m, err := model.Train(context.Background(), src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mt := m.Metrics
	if len(out.rows) != mt.TestRows || mt.TestRows == 0 {
		t.Fatalf("%d predictions for %d test snapshots", len(out.rows), mt.TestRows)
	}
	shipments := map[string]bool{}
	var abs float64
	for _, p := range out.rows {
		shipments[p.TrackingNumber] = true
		abs += max(p.P50-p.HoursLeft, p.HoursLeft-p.P50)
		if !(p.P10 <= p.P50 && p.P50 <= p.P90 && p.P90 <= p.P95) || p.HoursLeft <= 0 || p.At.IsZero() {
			t.Fatalf("prediction out of order or without its snapshot: %+v", p)
		}
		if p.OriginAreas[0] == "" || p.DestAreas[0] == "" || p.Carrier == "" || p.Status == "" {
			t.Fatalf("prediction without its lane or status: %+v", p)
		}
	}
	if len(shipments) != mt.TestShipments {
		t.Errorf("predictions for %d shipments, the test slice has %d", len(shipments), mt.TestShipments)
	}
	if mae := abs / float64(len(out.rows)); mae-mt.MAEHours > 1e-6 || mt.MAEHours-mae > 1e-6 {
		t.Errorf("the predictions' MAE is %.4f h, the backtest's %.4f h", mae, mt.MAEHours)
	}
	// The first one: as Predict says from the same snapshot.
	first := out.rows[0]
	for _, j := range src.Journeys {
		if j.TrackingNumber != first.TrackingNumber {
			continue
		}
		if got := m.Predict(j.SnapshotAt(0)); got.P50 != first.P50 || !j.Scans[0].Time.Equal(first.At) {
			t.Errorf("first prediction %+v; Predict at the first scan %s says %+v", first, j.Scans[0].Time, got)
		}
	}

	var again collect
	n, err := m.Backtest(context.Background(), src, model.DefaultTrainConfig(), &again)
	if err != nil || n != mt.TestRows || len(again.rows) != n {
		t.Fatalf("Backtest = %d, %v; wrote %d; want %d", n, err, len(again.rows), mt.TestRows)
	}

	failing := collect{failAfter: 10}
	cfg.Predictions = &failing
	if _, err := model.Train(context.Background(), src, cfg); !errors.Is(err, errFull) {
		t.Errorf("a failing writer: err = %v, want its error", err)
	}
}
