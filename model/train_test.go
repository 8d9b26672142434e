package model_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

func TestTrainBeatsBaselineWithCalibratedInterval(t *testing.T) {
	m := trainedOn(t, "us")
	mt := m.Metrics
	t.Logf("MAE %.2fh baseline %.2fh coverage %.3f p95 on time %.3f (train %d, test %d rows)",
		mt.MAEHours, mt.BaselineMAEHours, mt.Coverage80, mt.P95OnTime, mt.TrainRows, mt.TestRows)
	if mt.TestRows == 0 || mt.TrainRows == 0 || mt.CalibRows == 0 {
		t.Fatalf("empty slice: %+v", mt)
	}
	if mt.MAEHours >= 0.65*mt.BaselineMAEHours {
		t.Errorf("model MAE %.2fh is not 35%% below the lane-median baseline %.2fh", mt.MAEHours, mt.BaselineMAEHours)
	}
	for _, b := range model.BaselineNames {
		if r := mt.Overall.Reduction(b); r <= 0 {
			t.Errorf("model does not beat the %s baseline: MAE %.2fh vs %.2fh", b, mt.MAEHours, mt.Overall.Baselines[b].MAEHours)
		}
	}
	if mt.Coverage80 < 0.75 || mt.Coverage80 > 0.85 {
		t.Errorf("p10–p90 coverage %.3f far from 0.80", mt.Coverage80)
	}
	if mt.P95OnTime < 0.93 {
		t.Errorf("p95 commit on time %.3f, want about 0.95", mt.P95OnTime)
	}
	if m.Promise == nil || m.Lane == nil || len(m.Lane.LaneOffsets) == 0 || len(m.Dwell) == 0 {
		t.Errorf("model lacks a fit, lane offsets or dwell statistics")
	}
	if mt.WithoutPromise.N != mt.TestRows || mt.WithoutPromise.MAEHours <= mt.MAEHours {
		t.Errorf("without promise: %d rows, MAE %.2fh; with: %d rows, MAE %.2fh", mt.WithoutPromise.N, mt.WithoutPromise.MAEHours, mt.TestRows, mt.MAEHours)
	}
	// With the promise hidden the area pairs and the lane date carry the
	// distance and the calendar: 40% below the lane median.
	wp := mt.WithoutPromise
	t.Logf("promise hidden: MAE %.2fh, lane median %.2fh (%.1f%% below), coverage %.3f; lane date chosen: lane fit %v, promise fit %v",
		wp.MAEHours, wp.Baselines[model.BaselineLaneMedian].MAEHours, 100*wp.Reduction(model.BaselineLaneMedian), wp.Coverage80,
		m.Lane.LaneDate, m.Promise.LaneDate)
	if r := wp.Reduction(model.BaselineLaneMedian); r < 0.40 {
		t.Errorf("promise hidden: MAE %.2fh is %.1f%% below the lane median, want 40%%", wp.MAEHours, 100*r)
	}
}

// TestSplitHasNoLeak checks that no shipment of the test slice is trained
// on and that every trained label precedes the test slice.
func TestSplitHasNoLeak(t *testing.T) {
	src := modeltest.NewMem(sim.Config{Seed: 3, Shipments: 1500})
	w, _, _ := src.Split(context.Background())
	spy := &spySource{Mem: src}
	if _, err := model.Train(context.Background(), spy, model.DefaultTrainConfig()); err != nil {
		t.Fatal(err)
	}
	// peaks, fit, select, three robust refit passes, the robust choice,
	// commit, calibrate, test
	if len(spy.calls) != 10 {
		t.Fatalf("%d passes, want 10", len(spy.calls))
	}
	if len(spy.seen[0]) != len(spy.seen[1]) { // the peak pass reads what the fit pass reads
		t.Fatalf("peak pass read %d shipments, fit pass %d", len(spy.seen[0]), len(spy.seen[1]))
	}
	for _, j := range spy.seen[1] { // the fit pass
		at, _ := j.DeliveredAt()
		if !j.Scans[0].Time.Before(w.TrainTo) || !at.Before(w.CalibTo) {
			t.Fatalf("trained on %s (first %s, delivered %s) outside the train window %+v", j.TrackingNumber, j.Scans[0].Time, at, w)
		}
	}
	trained := map[string]bool{}
	for _, j := range spy.seen[1] {
		trained[j.TrackingNumber] = true
	}
	for _, p := range []int{3, 4, 5, 7} { // the robust and commit passes read the train slice only
		for _, j := range spy.seen[p] {
			if !trained[j.TrackingNumber] {
				t.Fatalf("pass %d read %s, which the fit pass did not", p, j.TrackingNumber)
			}
		}
	}
	for _, j := range spy.seen[9] {
		if trained[j.TrackingNumber] {
			t.Fatalf("test shipment %s was trained on", j.TrackingNumber)
		}
	}
	if len(spy.seen[9]) == 0 {
		t.Fatal("empty test slice")
	}
}

type spySource struct {
	*modeltest.Mem
	calls [][3]time.Time
	seen  [][]model.Journey
}

func (s *spySource) Delivered(ctx context.Context, from, to, before time.Time, fn func(*model.Journey) error) error {
	s.calls = append(s.calls, [3]time.Time{from, to, before})
	s.seen = append(s.seen, nil)
	i := len(s.seen) - 1
	return s.Mem.Delivered(ctx, from, to, before, func(j *model.Journey) error {
		s.seen[i] = append(s.seen[i], *j)
		return fn(j)
	})
}

// resave writes a changed copy of m as a well-formed artifact (right
// checksum), so only the change can be refused.
func resave(t *testing.T, m *model.Model, change func(*model.Model)) []byte {
	t.Helper()
	c := *m
	lane, prom := *m.Lane, *m.Promise
	c.Lane, c.Promise = &lane, &prom
	change(&c)
	path := filepath.Join(t.TempDir(), "changed.json")
	if _, err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTrainRefusesTooLittleHistory(t *testing.T) {
	_, err := model.Train(context.Background(), modeltest.NewMem(sim.Config{Seed: 1, Shipments: 20}), model.DefaultTrainConfig())
	if !errors.Is(err, model.ErrNotEnoughHistory) {
		t.Fatalf("err = %v, want ErrNotEnoughHistory", err)
	}
}

func TestArtifactRoundTripAndRefusals(t *testing.T) {
	m, err := model.Train(context.Background(), modeltest.NewMem(sim.Config{Seed: 2, Shipments: 1500}), model.DefaultTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "eta.json")
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	j := modeltest.NewMem(sim.Config{Seed: 99, Shipments: 1}).Journeys[0]
	snap := j.SnapshotAt(1)
	if m.Predict(snap) != back.Predict(snap) {
		t.Fatal("loaded model predicts differently")
	}

	good, _ := os.ReadFile(path)
	corrupt := append([]byte{}, good...)
	i := len(corrupt) / 2
	corrupt[i] ^= 0x01 // one bit flipped inside the model body
	for name, b := range map[string][]byte{
		"truncated":                          good[:len(good)/2],
		"bit flip":                           corrupt,
		"empty":                              {},
		"not a file":                         []byte(`{"format":"something-else"}`),
		"other feature schema":               resave(t, m, func(m *model.Model) { m.FeatureSchema = "v0-0000" }),
		"coefficients do not match features": resave(t, m, func(m *model.Model) { m.Lane.Coef = m.Lane.Coef[1:] }),
		"no interval":                        resave(t, m, func(m *model.Model) { m.Promise.Residuals = nil }),
		"no target scale":                    resave(t, m, func(m *model.Model) { m.Lane.TargetScale = 0 }),
		"newer format":                       bytes.Replace(good, []byte(`"format_version":3,"sha256"`), []byte(`"format_version":4,"sha256"`), 1),
	} {
		if _, err := model.Decode(b); !errors.Is(err, model.ErrBadArtifact) {
			t.Errorf("%s: err = %v, want ErrBadArtifact", name, err)
		}
	}
}

// TestCoverageByCarrier checks the interval by carrier on simulated
// history: carriers too thin for segments of their own are served by the
// segments of their stage and horizon, which every carrier shares, so
// none is left far outside the 80% the whole slice gets.
func TestCoverageByCarrier(t *testing.T) {
	mt := trainedOn(t, "us").Metrics
	t.Logf("coverage %.3f over %d test snapshots", mt.Coverage80, mt.TestRows)
	if mt.Coverage80 < 0.77 || mt.Coverage80 > 0.83 {
		t.Errorf("p10–p90 coverage %.3f, want 0.80 ± 0.03", mt.Coverage80)
	}
	for _, c := range slices.Sorted(maps.Keys(mt.ByCarrier)) {
		s := mt.ByCarrier[c]
		t.Logf("%s: coverage %.3f over %d snapshots, p95 on time %.3f", c, s.Coverage80, s.N, s.P95OnTime)
		if s.Coverage80 < 0.75 || s.Coverage80 > 0.85 {
			t.Errorf("%s: p10–p90 coverage %.3f, want 0.80 ± 0.05", c, s.Coverage80)
		}
	}
}
