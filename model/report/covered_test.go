package report

import (
	"testing"

	"github.com/parcelcast/parcelcast/model"
)

// A baseline that abstained on some snapshots says on how many it did not.
func TestCoveredShowsAbstentions(t *testing.T) {
	for _, c := range []struct {
		name string
		b    model.BaselineScore
		n    int
		want string
	}{
		{"every snapshot", model.BaselineScore{N: 10, MAEHours: 12.34}, 10, "12.3"},
		{"some", model.BaselineScore{N: 4, MAEHours: 12.34}, 10, "12.3 (40%)"},
		{"none", model.BaselineScore{}, 10, "–"},
		{"an empty group", model.BaselineScore{}, 0, "0.0"},
	} {
		if got := covered(c.b, c.n); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
