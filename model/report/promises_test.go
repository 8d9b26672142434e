package report

import (
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/model"
)

func TestPromiseLines(t *testing.T) {
	pt := func(target, late, all, onTime float64) model.PromisePoint {
		return model.PromisePoint{Target: target, N: 400, Late: late, MeanSlackAllHours: all * 24, MeanSlackOnTimeHours: onTime * 24}
	}
	curve := []model.PromisePoint{pt(0.9, 0.12, 8, 9), pt(0.955, 0.06, 11, 11.7), pt(0.99, 0.02, 16, 16.3)}
	for _, tt := range []struct {
		name  string
		curve model.PromiseCurve
		want  []string
	}{
		{"no curve", model.PromiseCurve{}, nil},
		{"without a promise of its own", model.PromiseCurve{Target: 0.955, Points: curve}, []string{
			"promises made at the first scan of 400 test shipments (commit target 95.5%): late share; mean slack from delivery to the promise, over all shipments (a late one counts 0) and over the on-time ones",
			"  target 90%: late 12.0%, slack 8.0 d over all, 9.0 d over the on-time",
			"  target 95.5%: late 6.0%, slack 11.0 d over all, 11.7 d over the on-time",
			"  target 99%: late 2.0%, slack 16.0 d over all, 16.3 d over the on-time",
		}},
		{"beside the history's own", model.PromiseCurve{Target: 0.9, Points: curve, Model: curve, Own: model.PromisePoint{N: 400, Late: 0.09, MeanSlackAllHours: 12 * 24, MeanSlackOnTimeHours: 13 * 24},
			Commit: pt(0.9, 0.1, 8.5, 9.4)}, []string{
			"promises made at the first scan of 400 test shipments (commit target 90%): late share; mean slack from delivery to the promise, over all shipments (a late one counts 0) and over the on-time ones",
			"  target 90%: late 12.0%, slack 8.0 d over all, 9.0 d over the on-time",
			"  target 95.5%: late 6.0%, slack 11.0 d over all, 11.7 d over the on-time",
			"  target 99%: late 2.0%, slack 16.0 d over all, 16.3 d over the on-time",
			"  the served commit (p95_commit, its level found for 90% on the history): late 10.0%, slack 8.5 d over all, 9.4 d over the on-time",
			"  the history's own promise (400 of them): late 9.0%, slack 12.0 d over all, 13.0 d over the on-time; the model at that late rate, on the same shipments: 9.5 d over all",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := PromiseLines(&model.Model{Metrics: model.Metrics{Promises: tt.curve}})
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("PromiseLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
