package model

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
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
		s := l.get(laneKeys{key, key, key}) // one level: the levels below add nothing
		for i := 0; i < shipments; i++ {
			s.shipments++
			s.add(&Row{Idx: []int32{0}, Val: []float64{1}}, []float64{resid}, 1)
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
		country string
		y       int
		m       time.Month
		d       int
		holiday bool
		peak    bool
	}{
		{"US", 2026, time.July, 3, true, false}, // Independence Day on a Saturday, observed Friday
		{"US", 2026, time.July, 4, false, false},
		{"US", 2026, time.November, 26, true, true}, // Thanksgiving
		{"US", 2026, time.November, 23, false, true},
		{"US", 2026, time.November, 22, false, false},
		{"US", 2026, time.December, 24, false, true},
		{"US", 2026, time.December, 25, true, false},
		{"US", 2027, time.January, 18, true, false}, // Martin Luther King Jr. Day
		{"US", 2017, time.November, 23, true, true}, // Thanksgiving
		{"US", 2017, time.April, 21, false, false},
		{"BR", 2017, time.April, 21, true, false},    // Tiradentes
		{"BR", 2017, time.February, 27, true, false}, // Carnival Monday
		{"BR", 2017, time.February, 28, true, false}, // Carnival Tuesday
		{"BR", 2017, time.March, 1, false, false},    // Ash Wednesday: a working day
		{"BR", 2017, time.September, 7, true, false}, // Independence
		{"BR", 2017, time.November, 23, false, true}, // Thanksgiving is not Brazil's
		{"BR", 2017, time.July, 4, false, false},
		{"GB", 2017, time.August, 28, true, false},    // Summer bank holiday
		{"MX", 2017, time.December, 25, false, false}, // no calendar: no holidays
		{"ZZ", 2017, time.December, 25, false, false}, // unknown country: no holidays
		{"", 2017, time.December, 25, false, false},
	} {
		cal := calendarOf(c.country)
		if got := cal.isHoliday(day(c.y, c.m, c.d)); got != c.holiday {
			t.Errorf("%s %d-%02d-%02d holiday = %v", c.country, c.y, c.m, c.d, got)
		}
		if got := peakSeason(time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC)) == 1; got != c.peak {
			t.Errorf("%d-%02d-%02d peak = %v", c.y, c.m, c.d, got)
		}
	}
}

// Working days are Monday to Friday, less the country's holidays; a
// country without a calendar works every weekday.
func TestWorkdays(t *testing.T) {
	day := func(y int, m time.Month, d int) int32 { return civilDay(time.Date(y, m, d, 12, 0, 0, 0, time.UTC)) }
	for _, c := range []struct {
		country string
		date    int32
		work    bool
	}{
		{"BR", day(2017, time.February, 27), false}, // Carnival Monday
		{"US", day(2017, time.February, 27), true},
		{"US", day(2017, time.November, 23), false}, // Thanksgiving, a Thursday
		{"BR", day(2017, time.November, 23), true},
		{"BR", day(2017, time.February, 25), false}, // Saturday
		{"ZZ", day(2017, time.February, 26), false}, // Sunday
		{"ZZ", day(2017, time.December, 25), true},  // a Monday, no holidays known
	} {
		if got := calendarOf(c.country).isWorkday(c.date); got != c.work {
			t.Errorf("%s day %d workday = %v, want %v", c.country, c.date, got, c.work)
		}
	}
}

// A snapshot's calendar is its destination country's; from its region
// area when it has no area path.
func TestSnapshotCalendar(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Snapshot
		want string
	}{
		{"destination's country", Snapshot{OriginAreas: AreaPath{"US", "US1", "US1:100"}, DestAreas: AreaPath{"BR", "BR-SP", "BR-SP:013"}, DestArea: "BR-SP"}, "BR"},
		{"region area only", Snapshot{OriginArea: "US1", DestArea: "US9"}, "US"},
		{"state area only", Snapshot{DestArea: "BR-RJ"}, "BR"},
		{"nothing known", Snapshot{}, ""},
	} {
		if got, want := c.s.calendar(), calendarOf(c.want); got != want {
			t.Errorf("%s: calendar %d, want %d (%q)", c.name, got, want, c.want)
		}
	}
}

// The promise's and the lane date's splines: at most two tents set,
// summing to 1, interpolating linearly between knots on the log1p scale,
// the last one beyond its knot; the lane date's reach six weeks.
func TestSplines(t *testing.T) {
	names := featureNames(Vocabulary{})
	e := NewEncoder(names)
	mid := func(a, b float64) float64 { return math.Expm1((math.Log1p(a) + math.Log1p(b)) / 2) }
	for _, c := range []struct {
		name  string
		idx   []int
		knots []float64
		hours float64
		want  map[string]float64
	}{
		{"promise now", e.promk[:], promiseKnotLogs, 0, map[string]float64{"promk:0": 1}},
		{"promise at a knot", e.promk[:], promiseKnotLogs, 24, map[string]float64{"promk:24": 1}},
		{"promise beyond the last knot", e.promk[:], promiseKnotLogs, 5000, map[string]float64{"promk:336": 1}},
		{"promise between knots", e.promk[:], promiseKnotLogs, mid(48, 72), map[string]float64{"promk:48": 0.5, "promk:72": 0.5}},
		{"lane date between knots", e.stdk[:], laneDateKnotLogs, mid(48, 72), map[string]float64{"stdk:48": 0.5, "stdk:72": 0.5}},
		{"lane date between three and six weeks", e.stdk[:], laneDateKnotLogs, mid(504, 1008), map[string]float64{"stdk:504": 0.5, "stdk:1008": 0.5}},
		{"lane date beyond six weeks", e.stdk[:], laneDateKnotLogs, 5000, map[string]float64{"stdk:1008": 1}},
	} {
		var r Row
		setSpline(&r, c.idx, c.knots, math.Log1p(c.hours))
		got := map[string]float64{}
		for k, i := range r.Idx {
			got[names[i]] = r.Val[k]
		}
		if len(got) != len(c.want) {
			t.Errorf("%s, %g h: tents %v, want %v", c.name, c.hours, got, c.want)
			continue
		}
		for n, v := range c.want {
			if math.Abs(got[n]-v) > 1e-9 {
				t.Errorf("%s, %g h: %s = %g, want %g", c.name, c.hours, n, got[n], v)
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

// The time-of-day table matches the sine and cosine it replaces.
func TestHourSinCos(t *testing.T) {
	for _, m := range []int{0, 1, 359, 360, 720, 1439} {
		s, c := math.Sincos(2 * math.Pi * (float64(m) / 60) / 24)
		if math.Abs(hourSinCos[m][0]-s) > 1e-12 || math.Abs(hourSinCos[m][1]-c) > 1e-12 {
			t.Errorf("minute %d: %v, want %g %g", m, hourSinCos[m], s, c)
		}
	}
}

// AddRow refuses rows whose indices are out of order or range: its inner
// loop relies on them.
func TestAddRowChecksIndices(t *testing.T) {
	for _, idx := range [][]int32{{0, 2, 1}, {0, 1, 1}, {-1, 2}, {0, 3}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("indices %v: no panic", idx)
				}
			}()
			NewRidge(3, 1).AddRow(&Row{Idx: idx, Val: make([]float64, len(idx))}, []float64{1})
		}()
	}
}

// A histogram that stores only the bins it has seen gives the quantiles
// and mode of one that stores them all, however its values arrive.
func TestHistMatchesDenseCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		lo, hi, width := -5.0, 5.0, 0.01
		a, b := newHist(lo, hi, width), newHist(lo, hi, width)
		dense := make([]float64, 1000)
		centre := rng.Float64()*12 - 6
		for k := range 1 + rng.IntN(400) {
			v := centre + rng.NormFloat64()*rng.Float64()*3
			if k%97 == 0 {
				v = math.NaN()
			}
			w := 1 + float64(rng.IntN(3))
			h := a
			if rng.IntN(2) == 0 {
				h = b
			}
			h.add(v, w)
			i := int((v - lo) / width)
			if i < 0 || math.IsNaN(v) {
				i = 0
			}
			dense[min(i, len(dense)-1)] += w
		}
		a.merge(b)
		var total float64
		for _, w := range dense {
			total += w
		}
		if a.total != total {
			t.Fatalf("trial %d: total %g, want %g", trial, a.total, total)
		}
		for _, q := range []float64{0.01, 0.1, 0.5, 0.9, 0.99} {
			target, cum, want := q*total, 0.0, math.NaN()
			for i, w := range dense {
				if cum+w >= target && w > 0 {
					want = lo + width*(float64(i)+(target-cum)/w)
					break
				}
				cum += w
			}
			if got := a.quantile(q); math.Abs(got-want) > 1e-9 {
				t.Errorf("trial %d: quantile %g = %g, want %g", trial, q, got, want)
			}
		}
		best := 0
		for i, w := range dense {
			if w > dense[best] {
				best = i
			}
		}
		if got, want := a.mode(), lo+width*(float64(best)+0.5); got != want {
			t.Errorf("trial %d: mode %g, want %g", trial, got, want)
		}
	}
}

// estimates follow BaselineNames, and a lane baseline falls back from the
// lane to the carrier's service to everything.
func TestBaselineEstimates(t *testing.T) {
	b := &Baselines{
		LaneMedianHours: map[string]float64{Lane("ups", "ground", "US1", "US9"): 50, Lane("*", "*", "*", "*"): 70},
		LaneModeHours:   map[string]float64{Lane("ups", "ground", "*", "*"): 36},
		StandardDays:    map[string]int{"ground": 5},
	}
	s := Snapshot{Carrier: "ups", Service: "ground", OriginArea: "US1", DestArea: "US9",
		At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), ElapsedHours: 10}
	est := b.estimates(b.laneTransitsOf(baselineKeys(&s)), &s)
	want := map[string]float64{BaselineStandard: b.standard(&s), BaselineLaneMedian: 40, BaselineLaneMode: 26}
	if len(BaselineNames) != int(baselineKinds) {
		t.Fatalf("%d baseline names for %d baselines", len(BaselineNames), baselineKinds)
	}
	for i, name := range BaselineNames {
		if est[i] != want[name] {
			t.Errorf("%s: %g, want %g", name, est[i], want[name])
		}
	}
	s.DestArea = "CA"
	est = b.estimates(b.laneTransitsOf(baselineKeys(&s)), &s)
	if est[laneMedianBaseline] != 60 || est[laneModeBaseline] != 26 {
		t.Errorf("fallbacks: median %g mode %g, want 60 and 26", est[laneMedianBaseline], est[laneModeBaseline])
	}
	none := b.estimates(laneTransits{math.NaN(), math.NaN()}, &s)
	if none[laneMedianBaseline] != 0 || none[laneModeBaseline] != 0 {
		t.Errorf("unknown lane: %v, want zeros", none)
	}
}

// The backtest's residual cache resolves the same segments, with the
// same fallbacks, as a lookup without it.
func TestSegCacheMatchesLookup(t *testing.T) {
	f := &Fit{Residuals: map[string][]float64{
		"*":                         {0},
		"ups":                       {1},
		"ups|<12h":                  {2},
		"ups|transit|<36h":          {3},
		"ups|ground|last_mile|84h+": {4},
		"fedex|2day|label|<12h":     {5},
		"fedex|exception|<84h":      {6},
	}}
	c := segCache{}
	for _, cs := range [][2]string{{"ups", "ground"}, {"ups", "2day"}, {"fedex", "2day"}, {"dhl", "international"}} {
		for _, st := range schemas.Statuses {
			for _, h := range []float64{1, 20, 50, 100} {
				want := segCache(nil).segment(f, cs[0], cs[1], st, h).q
				for range 2 { // resolved, then cached
					if got := c.segment(f, cs[0], cs[1], st, h).q; got[0] != want[0] {
						t.Errorf("%v %s %gh: %v, want %v", cs, st, h, got, want)
					}
				}
			}
		}
	}
	if got := segCache(nil).segment(f, "ups", "ground", schemas.StatusOutForDelivery, 100).q; got[0] != 4 {
		t.Errorf("most specific segment not chosen: %v", got)
	}
}

// Train refuses a config that leaves it nothing to fit, before it reads
// the source.
func TestTrainRefusesConfigWithoutCandidates(t *testing.T) {
	for name, change := range map[string]func(*TrainConfig){
		"zero config":      func(c *TrainConfig) { *c = TrainConfig{} },
		"no lambdas":       func(c *TrainConfig) { c.Lambdas = nil },
		"no target scales": func(c *TrainConfig) { c.TargetScales = []float64{} },
	} {
		cfg := DefaultTrainConfig()
		change(&cfg)
		if _, err := Train(context.Background(), nil, cfg); !errors.Is(err, errNoCandidates) {
			t.Errorf("%s: err = %v, want errNoCandidates", name, err)
		}
	}
}
