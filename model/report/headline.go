package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// Headline is the backtest in one line: the model's MAE against the
// strongest baseline's (the lowest MAE among those that estimated every
// test snapshot) and against the lane median's when that is not the
// strongest.
func Headline(m *model.Model) string {
	s := m.Metrics.Overall
	var b strings.Builder
	fmt.Fprintf(&b, "hours-to-delivery MAE: model %.2f h", s.MAEHours)
	name, ok := s.Strongest()
	if ok {
		fmt.Fprintf(&b, "   strongest baseline (%s) %.2f h (%s)", name, s.Baselines[name].MAEHours, lower(s, name))
	}
	if lane := s.Baselines[model.BaselineLaneMedian]; lane.MAEHours > 0 && name != model.BaselineLaneMedian {
		fmt.Fprintf(&b, "   lane median %.2f h (%s)", lane.MAEHours, lower(s, model.BaselineLaneMedian))
	}
	return b.String()
}

// lower says how much lower the model's MAE is than a baseline's.
func lower(s model.Score, baseline string) string {
	r := s.Reduction(baseline)
	if r < 0 {
		return fmt.Sprintf("%.0f%% higher", -100*r)
	}
	return fmt.Sprintf("%.0f%% lower", 100*r)
}

// Windows names the slices a model was trained, calibrated and tested on:
// the shipments first scanned from each start up to its end.
func Windows(w model.Window) string {
	return fmt.Sprintf("windows by first scan: train %s to %s, calibration %s to %s, test %s to %s",
		stamp(w.TrainFrom), stamp(w.TrainTo), stamp(w.TrainTo), stamp(w.CalibTo), stamp(w.CalibTo), stamp(w.TestTo))
}

// stamp is a window's bound: its day, and its time when not midnight UTC.
func stamp(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return day(t)
	}
	return t.Format("2006-01-02 15:04")
}
