package model_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/model/modeltest"
)

func TestSplitOf(t *testing.T) {
	d := date
	// The history's own cuts: 70% and 80% of shipments.
	h := model.Window{TrainFrom: d("2016-09-04"), TrainTo: d("2017-07-01"), CalibTo: d("2017-08-01"), TestTo: d("2017-12-01")}
	for _, tt := range []struct {
		name     string
		testFrom string
		calib    int
		want     model.Window
		err      string // in the error; empty when the split is good
	}{
		{name: "the history's own", want: h},
		{name: "test from and 30 calibration days", testFrom: "2017-10-01", calib: 30,
			want: model.Window{TrainFrom: h.TrainFrom, TrainTo: d("2017-09-01"), CalibTo: d("2017-10-01"), TestTo: h.TestTo}},
		{name: "test from, calibration as long as the history's", testFrom: "2017-10-01",
			want: model.Window{TrainFrom: h.TrainFrom, TrainTo: d("2017-08-31"), CalibTo: d("2017-10-01"), TestTo: h.TestTo}},
		{name: "calibration days before the history's test cut", calib: 10,
			want: model.Window{TrainFrom: h.TrainFrom, TrainTo: d("2017-07-22"), CalibTo: h.CalibTo, TestTo: h.TestTo}},
		{name: "test from after the history", testFrom: "2017-12-01", calib: 30, err: "the test slice from 2017-12-01 is empty"},
		{name: "test from before the history", testFrom: "2016-09-01", calib: 30, err: "the train slice before 2016-08-02 is empty"},
		{name: "calibration swallows the train slice", testFrom: "2017-01-01", calib: 200, err: "the train slice before 2016-06-15 is empty"},
		{name: "negative calibration days", calib: -1, err: "calibration days -1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := model.DefaultTrainConfig()
			if tt.testFrom != "" {
				cfg.TestFrom = d(tt.testFrom)
			}
			cfg.CalibrationDays = tt.calib
			got, err := cfg.SplitOf(h)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("SplitOf = %+v, %v; want an error saying %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("SplitOf = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// The default split gives the calibration slice a week where the
// history's 10% is shorter (a busy week's two days), unless the train
// slice would keep less than half of what precedes the test slice.
func TestSplitOfShortCalibration(t *testing.T) {
	d := date
	for _, tt := range []struct {
		name     string
		h        model.Window
		wantFrom time.Time // the calibration slice's start
	}{
		{"two days widened to a week", model.Window{TrainFrom: d("2026-10-28"), TrainTo: d("2026-11-19"), CalibTo: d("2026-11-21"), TestTo: d("2026-11-30")}, d("2026-11-14")},
		{"a week kept", model.Window{TrainFrom: d("2026-10-01"), TrainTo: d("2026-11-10"), CalibTo: d("2026-11-21"), TestTo: d("2026-11-30")}, d("2026-11-10")},
		{"too short a history to widen", model.Window{TrainFrom: d("2026-11-10"), TrainTo: d("2026-11-19"), CalibTo: d("2026-11-21"), TestTo: d("2026-11-30")}, d("2026-11-19")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := model.DefaultTrainConfig().SplitOf(tt.h)
			if err != nil || !got.TrainTo.Equal(tt.wantFrom) || !got.CalibTo.Equal(tt.h.CalibTo) || !got.TrainFrom.Equal(tt.h.TrainFrom) {
				t.Errorf("SplitOf = %+v, %v; want calibration from %s to %s", got, err, tt.wantFrom, tt.h.CalibTo)
			}
			cfg := model.DefaultTrainConfig()
			cfg.CalibrationDays = 2 // set: taken as given
			if got, err := cfg.SplitOf(tt.h); err != nil || !got.TrainTo.Equal(tt.h.CalibTo.AddDate(0, 0, -2)) {
				t.Errorf("with 2 calibration days: %+v, %v", got, err)
			}
		})
	}
}

// Train reads the slices SplitOf chose, and refuses a split that leaves
// one empty.
func TestTrainWithTestFrom(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	src := modeltest.NewMem(sim.Config{Seed: 3, Shipments: 3000, Days: 60, Start: start})
	cfg := model.DefaultTrainConfig()
	cfg.TestFrom, cfg.CalibrationDays = start.AddDate(0, 0, 45), 7
	spy := &spySource{Mem: src}
	m, err := model.Train(context.Background(), spy, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := m.Window
	if !w.CalibTo.Equal(cfg.TestFrom) || !w.TrainTo.Equal(start.AddDate(0, 0, 38)) {
		t.Fatalf("window %+v, want calibration from %s to %s", w, start.AddDate(0, 0, 38), cfg.TestFrom)
	}
	for i, c := range spy.calls {
		t.Logf("pass %d reads first scans %s to %s", i, c[0], c[1])
	}
	for i, name := range map[int]string{0: "peak", 1: "fit", 3: "robust", 4: "robust", 5: "robust", 7: "commit"} {
		if c := spy.calls[i]; !c[1].Equal(w.TrainTo) || !c[2].Equal(w.CalibTo) {
			t.Errorf("%s pass reads %v, want first scans before %s delivered before %s", name, c, w.TrainTo, w.CalibTo)
		}
	}
	if c := spy.calls[9]; !c[0].Equal(w.CalibTo) {
		t.Errorf("test pass reads %v, want first scans from %s", c, w.CalibTo)
	}

	cfg.TestFrom = start.AddDate(0, 0, 90)
	if _, err := model.Train(context.Background(), src, cfg); !errors.Is(err, model.ErrEmptySlice) {
		t.Errorf("a test slice after the history: err = %v, want ErrEmptySlice", err)
	}
}

// date is a day, midnight UTC.
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
