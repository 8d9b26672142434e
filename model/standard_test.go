package model

import (
	"math"
	"testing"
	"time"
)

// The carrier-standard baseline abstains for a service without a known
// standard, unless there is a promise.
func TestStandardBaselineAbstains(t *testing.T) {
	b := &Baselines{StandardDays: defaultStandardDays}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		service  string
		promised time.Time
		abstains bool
	}{
		{"known service", "ground", time.Time{}, false},
		{"service kept as given", "sedex", time.Time{}, true},
		{"no service", "", time.Time{}, true},
		{"unknown service with a promise", "sedex", at.Add(48 * time.Hour), false},
	} {
		s := Snapshot{Carrier: "x", Service: c.service, At: at, Promised: c.promised}
		if got := math.IsNaN(b.standard(&s)); got != c.abstains {
			t.Errorf("%s: standard %g, abstains %v, want %v", c.name, b.standard(&s), got, c.abstains)
		}
	}
	// An abstaining baseline is scored over the rows it estimated, and
	// the model's MAE beside it over the same rows.
	var a scoreAcc
	p := Prediction{P10: 1, P50: 10, P90: 20, P95: 30}
	a.add(10, p, perBaseline{math.NaN(), 20, 20})
	a.add(20, p, perBaseline{40, 20, 20})
	sc := a.score()
	st := sc.Baselines[BaselineStandard]
	if st.N != 1 || st.MAEHours != 20 || st.ModelMAEHours != 10 {
		t.Errorf("standard %+v, want 1 row, MAE 20, model's MAE 10 there", st)
	}
	if r := sc.Reduction(BaselineStandard); r != 0.5 {
		t.Errorf("reduction %g, want 0.5 over the rows the baseline estimated", r)
	}
	if lm := sc.Baselines[BaselineLaneMedian]; lm.N != 2 || lm.MAEHours != 5 {
		t.Errorf("lane median %+v, want 2 rows, MAE 5", lm)
	}
}

// The carrier-standard deadline counts the destination country's working
// days: Brazil's Carnival Monday and Tuesday are not, in the US they are.
func TestStandardDeadlineCalendar(t *testing.T) {
	b := &Baselines{StandardDays: map[string]int{"ground": 2}}
	at := time.Date(2017, 2, 24, 13, 0, 0, 0, time.UTC) // a Friday
	for _, c := range []struct {
		country string
		want    time.Time
	}{
		{"US", time.Date(2017, 2, 28, 20, 0, 0, 0, time.UTC)},
		{"BR", time.Date(2017, 3, 2, 20, 0, 0, 0, time.UTC)},
		{"ZZ", time.Date(2017, 2, 28, 20, 0, 0, 0, time.UTC)},
	} {
		s := Snapshot{Service: "ground", At: at, DestAreas: AreaPath{c.country, c.country, c.country}, DestArea: c.country}
		if got := b.standardDeadline(&s); !got.Equal(c.want) {
			t.Errorf("%s: deadline %v, want %v", c.country, got, c.want)
		}
	}
}
