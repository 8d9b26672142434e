package main

import (
	"slices"
	"testing"

	"github.com/parcelcast/parcelcast/model"
)

// The train command's list flags default to model.DefaultTrainConfig, as
// the README documents them, and read back what they print.
func TestTrainListFlagDefaults(t *testing.T) {
	def := model.DefaultTrainConfig()
	for _, tt := range []struct {
		name string
		vs   []float64
		want string
	}{
		{"lambdas", def.Lambdas, "0.1,1,10,100,1000"},
		{"target-scales", def.TargetScales, "1,6,24,48"},
		{"fractions", []float64{0.25, 1e-7, 2.5e6}, "0.25,1e-07,2.5e+06"},
		{"one", []float64{3}, "3"},
	} {
		got := formatFloats(tt.vs)
		if got != tt.want {
			t.Errorf("%s: formatFloats = %q, want %q", tt.name, got, tt.want)
		}
		back, err := parseFloats(got)
		if err != nil || !slices.Equal(back, tt.vs) {
			t.Errorf("%s: parseFloats(%q) = %v, %v; want %v", tt.name, got, back, err, tt.vs)
		}
	}
}
