package report

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

func TestHeadline(t *testing.T) {
	b := func(n int, mae float64) model.BaselineScore { return model.BaselineScore{N: n, MAEHours: mae} }
	for _, tt := range []struct {
		name      string
		baselines map[string]model.BaselineScore
		want      string
	}{
		{"the carrier standard is strongest", map[string]model.BaselineScore{model.BaselineStandard: b(100, 12), model.BaselineLaneMedian: b(100, 24), model.BaselineLaneMode: b(100, 20)},
			"hours-to-delivery MAE: model 8.00 h   strongest baseline (carrier_standard) 12.00 h (33% lower)   lane median 24.00 h (67% lower)"},
		{"the lane median is strongest", map[string]model.BaselineScore{model.BaselineStandard: b(40, 5), model.BaselineLaneMedian: b(100, 10), model.BaselineLaneMode: b(100, 11)},
			"hours-to-delivery MAE: model 8.00 h   strongest baseline (lane_median) 10.00 h (20% lower)"},
		{"a baseline better than the model", map[string]model.BaselineScore{model.BaselineLaneMedian: b(100, 20), model.BaselineLaneMode: b(100, 6.4)},
			"hours-to-delivery MAE: model 8.00 h   strongest baseline (lane_mode) 6.40 h (25% higher)   lane median 20.00 h (60% lower)"},
		{"no baseline", nil, "hours-to-delivery MAE: model 8.00 h"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &model.Model{Metrics: model.Metrics{Overall: model.Score{N: 100, MAEHours: 8, Baselines: tt.baselines}}}
			if got := Headline(m); got != tt.want {
				t.Errorf("Headline =\n%q, want\n%q", got, tt.want)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	d := time.Date(2017, 9, 1, 0, 0, 0, 0, time.UTC)
	w := model.Window{TrainFrom: time.Date(2016, 9, 4, 21, 15, 19, 0, time.UTC), TrainTo: d, CalibTo: d.AddDate(0, 1, 0), TestTo: d.AddDate(0, 3, 0)}
	want := "windows by first scan: train 2016-09-04 21:15 to 2017-09-01, calibration 2017-09-01 to 2017-10-01, test 2017-10-01 to 2017-12-01"
	if got := Windows(w); got != want {
		t.Errorf("Windows =\n%q, want\n%q", got, want)
	}
}

// The errors plot's x axis is the histogram's span, whatever its width.
func TestErrorsPlotScalesToTheHistogram(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    model.ErrorHistogram
	}{
		{"hours", model.ErrorHistogram{From: -12, Width: 1, Counts: []int{1, 5, 9, 4, 2, 0, 0, 1, 3, 2, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
		{"days", model.ErrorHistogram{From: -480, Width: 24, Counts: []int{2, 1, 0, 4, 6, 9, 30, 12, 5, 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &model.Model{Metrics: model.Metrics{Errors: tt.h}}
			p, err := errorsPlot(m)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := tt.h.From, tt.h.From+tt.h.Width*float64(len(tt.h.Counts))
			if p.X.Min != lo || p.X.Max != hi {
				t.Errorf("x axis %g to %g h, histogram %g to %g h", p.X.Min, p.X.Max, lo, hi)
			}
		})
	}
}
