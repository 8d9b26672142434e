package model_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestDayWindowOnSimulatedHistory trains on the simulator, whose parcels
// go out 07:30–09:00 local and are delivered a log-normal one to ten hours
// later: the windows learned on the train slice must hold 80 ± 5% of the
// test slice's deliveries once out, and be far narrower than the day.
func TestDayWindowOnSimulatedHistory(t *testing.T) {
	m := trainedOn(t, "us")
	dw := m.Metrics.DayWindow
	b, _ := json.MarshalIndent(dw, "", "  ")
	t.Logf("day windows: out for delivery mass %.2f (calibration %.3f), eta day mass %.2f (calibration %.3f)\n%s",
		m.DayWindows.OutForDelivery.Mass, m.DayWindows.OutForDelivery.Coverage, m.DayWindows.ETADay.Mass, m.DayWindows.ETADay.Coverage, b)
	ofd := dw.OutForDelivery
	if ofd.N == 0 {
		t.Fatal("no out-for-delivery window scored")
	}
	if ofd.Coverage < 0.75 || ofd.Coverage > 0.85 {
		t.Errorf("out-for-delivery window coverage %.3f, want 0.80 ± 0.05", ofd.Coverage)
	}
	if ofd.MeanHours >= 12 {
		t.Errorf("out-for-delivery windows last %.1f h on average, want far under the day", ofd.MeanHours)
	}
	if c := dw.ETADay.CoverageOnTheDay; c < 0.75 || c > 0.85 {
		t.Errorf("eta-day window coverage on the right day %.3f, want 0.80 ± 0.05", c)
	}
	for c, s := range dw.ByCarrier {
		if s.OutForDelivery.N > 300 && (s.OutForDelivery.Coverage < 0.7 || s.OutForDelivery.Coverage > 0.9) {
			t.Errorf("carrier %s: out-for-delivery coverage %.3f over %d", c, s.OutForDelivery.Coverage, s.OutForDelivery.N)
		}
	}
}

func TestShortestWindow(t *testing.T) {
	bins := func(vals map[int]float64) []float64 {
		b := make([]float64, 48)
		for i, v := range vals {
			b[i] = v
		}
		return b
	}
	for _, tc := range []struct {
		name       string
		bins       []float64
		total, q   float64
		start, end int
		mass       float64
		ok         bool
	}{
		{name: "empty", bins: bins(nil), q: 0.8},
		{name: "one bin", bins: bins(map[int]float64{20: 5}), q: 0.8, start: 20, end: 21, mass: 1, ok: true},
		{name: "uniform over the day", bins: func() []float64 {
			b := make([]float64, 48)
			for i := range b {
				b[i] = 1
			}
			return b
		}(), q: 0.5, start: 0, end: 24, mass: 0.5, ok: true},
		{name: "peak with tails", bins: bins(map[int]float64{18: 1, 20: 2, 21: 6, 22: 6, 23: 2, 30: 3}), q: 0.8,
			start: 20, end: 24, mass: 16.0 / 20, ok: true},
		{name: "exact mass is enough", bins: bins(map[int]float64{10: 4, 11: 4, 12: 2}), q: 0.8, start: 10, end: 12, mass: 0.8, ok: true},
		{name: "tie goes to the heavier run", bins: bins(map[int]float64{10: 4, 11: 5, 12: 5}), q: 0.6, start: 11, end: 13, mass: 10.0 / 14, ok: true},
		{name: "tie of equal mass goes to the earliest", bins: bins(map[int]float64{10: 4, 11: 4, 12: 4}), q: 0.6, start: 10, end: 12, mass: 8.0 / 12, ok: true},
		{name: "mass off the bins counts in the total", bins: bins(map[int]float64{10: 4, 11: 4}), total: 10, q: 0.5, start: 10, end: 12, mass: 0.8, ok: true},
		{name: "unreachable mass spans every bin with mass", bins: bins(map[int]float64{10: 4, 15: 4}), total: 10, q: 0.9, start: 10, end: 16, mass: 0.8, ok: true},
		{name: "full mass", bins: bins(map[int]float64{3: 1, 40: 1}), q: 1, start: 3, end: 41, mass: 1, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end, mass, ok := model.ShortestWindow(tc.bins, tc.total, tc.q)
			if ok != tc.ok || start != tc.start || end != tc.end || math.Abs(mass-tc.mass) > 1e-9 {
				t.Errorf("got [%d, %d) mass %.4f ok %v, want [%d, %d) mass %.4f ok %v", start, end, mass, ok, tc.start, tc.end, tc.mass, tc.ok)
			}
		})
	}
}

// dayJourney is a delivered journey to dest: picked up the day before,
// out for delivery at ofd and delivered at del (minutes of the local day,
// UTC−5).
func dayJourney(carrier, service, postal string, day, ofd, del int) model.Journey {
	const offset = -300
	local := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	at := func(d time.Time, minute int) time.Time {
		return d.Add(time.Duration(minute-offset) * time.Minute)
	}
	return model.Journey{
		TrackingNumber: fmt.Sprintf("%s%d", carrier, day), Carrier: carrier, Service: service,
		Origin:      schemas.Location{Country: "US", PostalCode: "10001"},
		Destination: schemas.Location{Country: "US", PostalCode: postal},
		Scans: []model.Scan{
			{Time: at(local.AddDate(0, 0, -1), 18*60), Status: schemas.StatusPickedUp, OffsetMinutes: offset},
			{Time: at(local, ofd), Status: schemas.StatusOutForDelivery, OffsetMinutes: offset},
			{Time: at(local, del), Status: schemas.StatusDelivered, OffsetMinutes: offset},
		},
	}
}

// TestDayWindowLearnsKnownPattern learns from journeys whose delivery
// hours are known: one carrier delivers 08:30–11:30 local, the other
// 13:00–19:00, both uniformly. Each carrier's window must sit inside its
// own span, hold 80 ± 5% of a held-out slice, and be narrower than the day.
func TestDayWindowLearnsKnownPattern(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type pattern struct {
		carrier, service string
		from, to         int // delivery span, minutes of the day
	}
	patterns := []pattern{{"early", "overnight", 8*60 + 30, 11*60 + 30}, {"late", "ground", 13 * 60, 19 * 60}}
	gen := func(n int) []model.Journey {
		var js []model.Journey
		for i := range n {
			p := patterns[i%len(patterns)]
			del := p.from + rng.IntN(p.to-p.from)
			js = append(js, dayJourney(p.carrier, p.service, "30303", i, 8*60+rng.IntN(60), del))
		}
		return js
	}
	dw := model.LearnDayWindows(gen(4000), gen(2000))
	m := &model.Model{DayWindows: dw}
	for _, p := range patterns {
		var in, n int
		var hours float64
		for _, j := range gen(2000) {
			if j.Carrier != p.carrier {
				continue
			}
			w, ok := m.DayWindow(j.SnapshotAt(1), model.Prediction{})
			if !ok {
				t.Fatalf("%s: no window", p.carrier)
			}
			if w.Basis != model.BasisOutForDelivery || w.Level != "carrier_service_postal" {
				t.Errorf("%s: window of basis %s from level %s, want out_for_delivery from carrier_service_postal", p.carrier, w.Basis, w.Level)
			}
			if w.Start < p.from-30 || w.End > p.to+30 {
				t.Errorf("%s: window %s–%s outside the deliveries' span %s–%s", p.carrier,
					model.ClockTime(w.Start), model.ClockTime(w.End), model.ClockTime(p.from), model.ClockTime(p.to))
			}
			del := j.Scans[2].Time
			n++
			hours += float64(w.End-w.Start) / 60
			if !del.Before(w.StartAt()) && del.Before(w.EndAt()) {
				in++
			}
		}
		cov := float64(in) / float64(n)
		t.Logf("%s: %d held out, coverage %.3f, mean window %.1f h", p.carrier, n, cov, hours/float64(n))
		if cov < 0.75 || cov > 0.85 {
			t.Errorf("%s: held-out coverage %.3f, want 0.80 ± 0.05", p.carrier, cov)
		}
		if hours/float64(n) >= 0.9*float64(p.to-p.from)/60 {
			t.Errorf("%s: windows of %.1f h are not narrower than the span of deliveries", p.carrier, hours/float64(n))
		}
	}
}

// TestDayWindowShrinksThinCells gives one postal area a few deliveries at
// night: too few for a cell of its own, it is served from its region and
// keeps the region's daytime window; a well-filled area gets its own.
func TestDayWindowShrinksThinCells(t *testing.T) {
	var train []model.Journey
	for i := range 3000 {
		train = append(train, dayJourney("ups", "ground", "30303", i, 8*60, 10*60+i%240))
	}
	for i := range 20 { // thin: an area of the same region delivered at night
		train = append(train, dayJourney("ups", "ground", "31999", 5000+i, 8*60, 22*60+i%60))
	}
	for i := range 600 { // well filled: an afternoon area
		train = append(train, dayJourney("ups", "ground", "39000", 6000+i, 8*60, 15*60+i%120))
	}
	m := &model.Model{DayWindows: model.LearnDayWindows(train, train[:500])}
	for _, tc := range []struct {
		postal, level string
		before        int // the window ends by this minute
		after         int // and starts at or after this one
	}{
		{"31999", "carrier_service_region", 15 * 60, 10 * 60},
		{"30303", "carrier_service_postal", 15 * 60, 10 * 60},
		{"39000", "carrier_service_postal", 17 * 60, 14*60 + 30},
	} {
		j := dayJourney("ups", "ground", tc.postal, 9000, 8*60, 12*60)
		w, ok := m.DayWindow(j.SnapshotAt(1), model.Prediction{})
		if !ok {
			t.Fatalf("%s: no window", tc.postal)
		}
		t.Logf("%s: %s–%s from %s", tc.postal, model.ClockTime(w.Start), model.ClockTime(w.End), w.Level)
		if w.Level != tc.level || w.End > tc.before || w.Start < tc.after {
			t.Errorf("%s: window %s–%s from %s, want within %s–%s from %s", tc.postal, model.ClockTime(w.Start), model.ClockTime(w.End),
				w.Level, model.ClockTime(tc.after), model.ClockTime(tc.before), tc.level)
		}
	}
	// Not out yet: the ETA day's window from the pooled cells, on the
	// local day of the p50.
	j := dayJourney("ups", "ground", "30303", 9000, 8*60, 12*60)
	s := j.SnapshotAt(0)
	w, ok := m.DayWindow(s, model.Prediction{P50: 20})
	if !ok || w.Basis != model.BasisETADay {
		t.Fatalf("before out for delivery: %+v %v, want an eta_day window", w, ok)
	}
	if want := s.At.Add(20*time.Hour - 5*time.Hour).Truncate(24 * time.Hour); !w.Date.Equal(want) {
		t.Errorf("eta-day window for %s, want %s", w.Date.Format(time.DateOnly), want.Format(time.DateOnly))
	}
}

// TestLoadRefusesBadDayWindows: an artifact whose windows cannot be
// served is refused at load, as a bad fit is.
func TestLoadRefusesBadDayWindows(t *testing.T) {
	good := model.DayCell{N: 200, Start: 9 * 60, End: 13 * 60, Mass: 0.8}
	for _, tc := range []struct {
		name string
		dw   *model.DayWindows
		ok   bool
	}{
		{"none", nil, true},
		{"good", &model.DayWindows{OutForDelivery: model.DayPath{Mass: 0.8, Coverage: 0.8}, Cells: map[string]model.DayCell{"5|*|*|*|any": good}}, true},
		{"empty window", &model.DayWindows{Cells: map[string]model.DayCell{"5|*|*|*|any": {Start: 600, End: 600}}}, false},
		{"past midnight", &model.DayWindows{Cells: map[string]model.DayCell{"5|*|*|*|any": {Start: 1200, End: 1500}}}, false},
		{"negative start", &model.DayWindows{Cells: map[string]model.DayCell{"5|*|*|*|any": {Start: -30, End: 60}}}, false},
		{"mass over 1", &model.DayWindows{Cells: map[string]model.DayCell{"5|*|*|*|any": {Start: 0, End: 60, Mass: 1.5}}}, false},
		{"coverage over 1", &model.DayWindows{ETADay: model.DayPath{Coverage: 2}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &model.Model{FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "t", Features: []string{"bias"},
				Lane:       &model.Fit{TargetScale: 1, Coef: []float64{1}, Residuals: map[string][]float64{"*": make([]float64, len(model.ResidualLevels))}},
				DayWindows: tc.dw}
			path := filepath.Join(t.TempDir(), "m.json")
			if _, err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			_, err := model.Load(path)
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, model.ErrBadArtifact) {
				t.Errorf("Load: %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// TestDayWindowCalibration: a calibration slice delivered later in the
// day than the train slice widens the windows, enough of them to count;
// a handful leaves the target mass.
func TestDayWindowCalibration(t *testing.T) {
	gen := func(n, from, span int) []model.Journey {
		var js []model.Journey
		for i := range n {
			js = append(js, dayJourney("ups", "ground", "30303", i, 8*60, from+i*7%span))
		}
		return js
	}
	train := gen(2000, 10*60, 120)
	for _, tc := range []struct {
		name      string
		calib     []model.Journey
		wider     bool // the mass goes past the target
		atLeast   float64
		calibSize int
	}{
		{"the same hours", gen(1000, 10*60, 120), false, 0.8, 1000},
		{"an hour later", gen(1000, 11*60, 120), true, 0.5, 1000}, // the widest window, and half of them in it
		{"an hour later, too few to count", gen(50, 11*60, 120), false, 0, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dw := model.LearnDayWindows(train, tc.calib)
			p := dw.OutForDelivery
			t.Logf("mass %.2f, calibration coverage %.3f of %d", p.Mass, p.Coverage, p.N)
			if p.N != tc.calibSize || (p.Mass > model.DayWindowTarget) != tc.wider || p.Coverage < tc.atLeast {
				t.Errorf("mass %.2f covering %.3f of %d; want wider than the target: %v, coverage at least %.2f over %d",
					p.Mass, p.Coverage, p.N, tc.wider, tc.atLeast, tc.calibSize)
			}
		})
	}
}
