package model_test

import (
	"testing"

	"github.com/parcelcast/parcelcast/model"
)

func TestStrongestBaseline(t *testing.T) {
	b := func(n int, mae float64) model.BaselineScore { return model.BaselineScore{N: n, MAEHours: mae} }
	for _, tt := range []struct {
		name      string
		baselines map[string]model.BaselineScore
		want      string
	}{
		{"the lowest MAE", map[string]model.BaselineScore{model.BaselineStandard: b(100, 12), model.BaselineLaneMedian: b(100, 24), model.BaselineLaneMode: b(100, 20)}, model.BaselineStandard},
		{"one that abstained on some is passed over", map[string]model.BaselineScore{model.BaselineStandard: b(60, 5), model.BaselineLaneMedian: b(100, 24), model.BaselineLaneMode: b(100, 20)}, model.BaselineLaneMode},
		{"one that abstained on all", map[string]model.BaselineScore{model.BaselineStandard: {}, model.BaselineLaneMedian: b(100, 24), model.BaselineLaneMode: b(100, 30)}, model.BaselineLaneMedian},
		{"counts not kept (older artifact)", map[string]model.BaselineScore{model.BaselineStandard: b(0, 12), model.BaselineLaneMedian: b(0, 24)}, model.BaselineStandard},
		{"none", map[string]model.BaselineScore{model.BaselineStandard: {}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := model.Score{N: 100, MAEHours: 8, Baselines: tt.baselines}.Strongest()
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Strongest = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}
