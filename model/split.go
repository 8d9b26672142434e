package model

import (
	"errors"
	"fmt"
	"time"
)

// ErrEmptySlice is wrapped by the errors of a split that leaves the
// train, calibration or test slice without a shipment.
var ErrEmptySlice = errors.New("the split leaves a slice empty")

// minCalibration is the shortest calibration slice the default split
// gives, history allowing: a week, longer than most parcels' journeys.
const minCalibration = 7 * 24 * time.Hour

// SplitOf chooses the train, calibration and test windows within the
// history's (Source.Split: its TrainFrom is the first shipment's first
// scan, its TestTo just after the last one's; its TrainTo and CalibTo cut
// it at 70% and 80% of shipments). TestFrom, when set, starts the test
// slice; CalibrationDays, when set, is the length of the calibration slice
// before it; unset, each keeps the history's own cut, the calibration
// slice at least minCalibration long where the train slice keeps half of
// what precedes the test slice. It refuses a split
// whose slice would start at or after its end.
func (c TrainConfig) SplitOf(h Window) (Window, error) {
	w := h
	if c.CalibrationDays < 0 {
		return w, fmt.Errorf("calibration days %d: want 0 (the 10%% of shipments before the test slice) or more", c.CalibrationDays)
	}
	if !c.TestFrom.IsZero() {
		w.CalibTo = c.TestFrom.UTC()
		if c.CalibrationDays == 0 { // the calibration slice keeps its share of the history
			w.TrainTo = w.CalibTo.Add(-h.CalibTo.Sub(h.TrainTo))
		}
	}
	if c.CalibrationDays > 0 {
		w.TrainTo = w.CalibTo.AddDate(0, 0, -c.CalibrationDays)
	} else if short := w.CalibTo.Sub(w.TrainTo); short < minCalibration {
		// A calibration slice shorter than a parcel's journey sees few of
		// its deliveries before the cut-off (a busy week's 10% is two days):
		// it takes minCalibration, while the train slice keeps at least
		// half of what precedes the test slice.
		if t := w.CalibTo.Add(-minCalibration); t.Sub(h.TrainFrom) >= w.CalibTo.Sub(h.TrainFrom)/2 {
			w.TrainTo = t
		}
	}
	day := func(t time.Time) string { return t.UTC().Format(time.DateOnly) }
	switch {
	case !w.CalibTo.Before(h.TestTo):
		return w, fmt.Errorf("%w: the test slice from %s is empty: the last shipment was first scanned before %s",
			ErrEmptySlice, day(w.CalibTo), day(h.TestTo))
	case !w.TrainTo.After(h.TrainFrom):
		return w, fmt.Errorf("%w: the train slice before %s is empty: the first shipment was first scanned %s",
			ErrEmptySlice, day(w.TrainTo), day(h.TrainFrom))
	case !w.TrainTo.Before(w.CalibTo):
		return w, fmt.Errorf("%w: the calibration slice %s to %s is empty", ErrEmptySlice, day(w.TrainTo), day(w.CalibTo))
	}
	return w, nil
}
