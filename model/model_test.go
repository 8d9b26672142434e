package model

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

func TestRidgeRecoversCoefficients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Two targets of the same rows share XᵀX; each gets its own fit.
	want := [][]float64{{2, -1, 0.5}, {-3, 0, 4}}
	r := NewRidge(3, len(want))
	for i := 0; i < 5000; i++ {
		x := []float64{1, rng.NormFloat64(), rng.NormFloat64()}
		r.Add(x, dot(x, want[0])+0.01*rng.NormFloat64(), dot(x, want[1])+0.01*rng.NormFloat64())
	}
	got, err := r.Solve(1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		for i := range want[k] {
			if math.Abs(got[k][i]-want[k][i]) > 0.01 {
				t.Errorf("target %d coef %d = %.4f, want %.4f", k, i, got[k][i], want[k][i])
			}
		}
		if rss := r.RSS(got[k], k) / 5000; rss > 2e-4 {
			t.Errorf("target %d RSS/row = %g, want about 1e-4 (the noise)", k, rss)
		}
	}
}

func TestLaneOffsetsShrinkSparseLanes(t *testing.T) {
	l := newLaneStats(1, 1)
	coef := []float64{0}
	add := func(key string, shipments int, resid float64) {
		s := l.get(key)
		for i := 0; i < shipments; i++ {
			s.shipments++
			s.add(&Row{Idx: []int32{0}, Val: []float64{1}}, []float64{resid})
		}
	}
	// Lanes that really differ by ±0.5, and one lane seen once with a
	// residual as large.
	for i := 0; i < 20; i++ {
		add(strconv.Itoa(i), 400, []float64{-0.5, 0.5}[i%2])
	}
	add("rare", 1, 0.5)
	off := l.offsets(coef, 0, 0.25)
	if v := off["0"]; math.Abs(v+0.5) > 0.01 {
		t.Errorf("busy lane offset %.3f, want about -0.5", v)
	}
	if v := off["rare"]; v <= 0 || v > 0.25 {
		t.Errorf("rare lane offset %.3f, want shrunk well toward 0", v)
	}
}

func TestCalendar(t *testing.T) {
	day := func(y int, m time.Month, d int) int32 { return civilDay(time.Date(y, m, d, 12, 0, 0, 0, time.UTC)) }
	for _, c := range []struct {
		y       int
		m       time.Month
		d       int
		holiday bool
		peak    bool
	}{
		{2026, time.July, 3, true, false}, // Independence Day on a Saturday, observed Friday
		{2026, time.July, 4, false, false},
		{2026, time.November, 26, true, true}, // Thanksgiving
		{2026, time.November, 23, false, true},
		{2026, time.November, 22, false, false},
		{2026, time.December, 24, false, true},
		{2026, time.December, 25, true, false},
		{2027, time.January, 18, true, false}, // Martin Luther King Jr. Day
	} {
		if got := isHoliday(day(c.y, c.m, c.d)); got != c.holiday {
			t.Errorf("%d-%02d-%02d holiday = %v", c.y, c.m, c.d, got)
		}
		if got := peakSeason(time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC)) == 1; got != c.peak {
			t.Errorf("%d-%02d-%02d peak = %v", c.y, c.m, c.d, got)
		}
	}
}

// The promise spline's tents: at most two set, summing to 1, and
// interpolating linearly between knots on the log1p scale.
func TestPromiseSpline(t *testing.T) {
	names := featureNames(Vocabulary{})
	e := NewEncoder(names)
	for _, c := range []struct {
		hours float64
		want  map[string]float64
	}{
		{0, map[string]float64{"promk:0": 1}},
		{24, map[string]float64{"promk:24": 1}},
		{5000, map[string]float64{"promk:336": 1}},
		{math.Expm1((math.Log1p(48) + math.Log1p(72)) / 2), map[string]float64{"promk:48": 0.5, "promk:72": 0.5}},
	} {
		var r Row
		e.setPromiseSpline(&r, math.Log1p(c.hours))
		got := map[string]float64{}
		for k, i := range r.Idx {
			got[names[i]] = r.Val[k]
		}
		if len(got) != len(c.want) {
			t.Errorf("%g h: tents %v, want %v", c.hours, got, c.want)
			continue
		}
		for n, v := range c.want {
			if math.Abs(got[n]-v) > 1e-9 {
				t.Errorf("%g h: %s = %g, want %g", c.hours, n, got[n], v)
			}
		}
	}
}

// toTargets, the fit pass's form, agrees with toTarget.
func TestToTargetsMatchesToTarget(t *testing.T) {
	scales := []float64{1, 6, 24, 48}
	logs := make([]float64, len(scales))
	for i, c := range scales {
		logs[i] = math.Log(c)
	}
	out := make([]float64, len(scales))
	for _, h := range []float64{-3, 0, 0.01, 1, 17.5, 200, 5000} {
		toTargets(h, scales, logs, out)
		for i, c := range scales {
			if want := toTarget(h, c); math.Abs(out[i]-want) > 1e-12 {
				t.Errorf("h=%g c=%g: %g, want %g", h, c, out[i], want)
			}
		}
	}
}
