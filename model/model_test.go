package model

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
)

// memSource is transit history held in memory, with the same split and
// slice rules as the ClickHouse source.
type memSource struct{ journeys []Journey }

func newMemSource(cfg sim.Config) *memSource {
	g := sim.New(cfg)
	var src memSource
	for {
		s, ok := g.Next()
		if !ok {
			return &src
		}
		j := Journey{TrackingNumber: s.TrackingNumber, Carrier: s.Carrier, Service: s.Service}
		for _, e := range s.Scans {
			j.Origin, j.Destination = e.Origin, e.Destination
			if e.PromisedDelivery != nil {
				j.Promised = *e.PromisedDelivery
			}
			j.Scans = append(j.Scans, Scan{Time: e.EventTime, Status: e.Status, OffsetMinutes: e.UTCOffsetMinutes})
		}
		if len(j.Scans) > 0 {
			src.journeys = append(src.journeys, j)
		}
	}
}

func (m *memSource) delivered() []Journey {
	var out []Journey
	for _, j := range m.journeys {
		if _, ok := j.DeliveredAt(); ok {
			out = append(out, j)
		}
	}
	return out
}

func (m *memSource) Split(context.Context) (Window, int, error) {
	d := m.delivered()
	if len(d) == 0 {
		return Window{}, 0, nil
	}
	// Journeys are generated in label order.
	first := func(i int) time.Time { return d[i].Scans[0].Time }
	return Window{
		TrainFrom: first(0),
		TrainTo:   first(len(d) * 7 / 10),
		CalibTo:   first(len(d) * 8 / 10),
		TestTo:    first(len(d) - 1).Add(time.Second),
	}, len(d), nil
}

func (m *memSource) Vocabulary(_ context.Context, from, to time.Time) (Vocabulary, error) {
	cs, areas, lanes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, j := range m.journeys {
		if j.Scans[0].Time.Before(from) || !j.Scans[0].Time.Before(to) {
			continue
		}
		o, d := Area(j.Origin), Area(j.Destination)
		cs[j.Carrier+"|"+j.Service], areas[o], areas[d], lanes[o+">"+d] = true, true, true, true
	}
	return Vocabulary{sortedKeys(cs), sortedKeys(areas), sortedKeys(lanes)}, nil
}

func (m *memSource) Delivered(_ context.Context, from, to, before time.Time, fn func(*Journey) error) error {
	for _, j := range m.delivered() {
		at, _ := j.DeliveredAt()
		if j.Scans[0].Time.Before(from) || !j.Scans[0].Time.Before(to) || !at.Before(before) {
			continue
		}
		if err := fn(&j); err != nil {
			return err
		}
	}
	return nil
}

func TestRidgeRecoversCoefficients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := []float64{2, -1, 0.5}
	r := NewRidge(3)
	for i := 0; i < 5000; i++ {
		x := []float64{1, rng.NormFloat64(), rng.NormFloat64()}
		r.Add(x, dot(x, want)+0.01*rng.NormFloat64())
	}
	got, err := r.Solve(1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 0.01 {
			t.Errorf("coef %d = %.4f, want %.4f", i, got[i], want[i])
		}
	}
}

func TestTrainBeatsBaselineWithCalibratedInterval(t *testing.T) {
	src := newMemSource(sim.Config{Seed: 11, Shipments: 12000, Days: 120, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	m, err := Train(context.Background(), src, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	mt := m.Metrics
	t.Logf("MAE %.2fh baseline %.2fh coverage %.3f p95 on time %.3f (train %d, test %d rows)",
		mt.MAEHours, mt.BaselineMAEHours, mt.Coverage80, mt.P95OnTime, mt.TrainRows, mt.TestRows)
	if mt.TestRows == 0 || mt.TrainRows == 0 || mt.CalibRows == 0 {
		t.Fatalf("empty slice: %+v", mt)
	}
	if mt.MAEHours >= 0.65*mt.BaselineMAEHours {
		t.Errorf("model MAE %.2fh is not 35%% below the lane-median baseline %.2fh", mt.MAEHours, mt.BaselineMAEHours)
	}
	for _, b := range BaselineNames {
		if r := mt.Overall.Reduction(b); r <= 0 {
			t.Errorf("model does not beat the %s baseline: MAE %.2fh vs %.2fh", b, mt.MAEHours, mt.Overall.Baselines[b].MAEHours)
		}
	}
	if mt.Coverage80 < 0.75 || mt.Coverage80 > 0.85 {
		t.Errorf("p10–p90 coverage %.3f far from 0.80", mt.Coverage80)
	}
	if mt.P95OnTime < 0.93 {
		t.Errorf("p95 commit on time %.3f, want about 0.95", mt.P95OnTime)
	}
	if m.Promise == nil || m.Lane == nil || len(m.Lane.LaneOffsets) == 0 || len(m.Dwell) == 0 {
		t.Errorf("model lacks a fit, lane offsets or dwell statistics")
	}
	if mt.WithoutPromise.N != mt.TestRows || mt.WithoutPromise.MAEHours <= mt.MAEHours {
		t.Errorf("without promise: %d rows, MAE %.2fh; with: %d rows, MAE %.2fh", mt.WithoutPromise.N, mt.WithoutPromise.MAEHours, mt.TestRows, mt.MAEHours)
	}
}

// TestSplitHasNoLeak checks that no shipment of the test slice is trained
// on and that every trained label precedes the test slice.
func TestSplitHasNoLeak(t *testing.T) {
	src := newMemSource(sim.Config{Seed: 3, Shipments: 1500})
	w, _, _ := src.Split(context.Background())
	spy := &spySource{memSource: src}
	if _, err := Train(context.Background(), spy, TrainConfig{}); err != nil {
		t.Fatal(err)
	}
	if len(spy.calls) != 3 {
		t.Fatalf("%d passes, want 3", len(spy.calls))
	}
	for _, j := range spy.seen[0] { // the fit pass
		at, _ := j.DeliveredAt()
		if !j.Scans[0].Time.Before(w.TrainTo) || !at.Before(w.CalibTo) {
			t.Fatalf("trained on %s (first %s, delivered %s) outside the train window %+v", j.TrackingNumber, j.Scans[0].Time, at, w)
		}
	}
	trained := map[string]bool{}
	for _, j := range spy.seen[0] {
		trained[j.TrackingNumber] = true
	}
	for _, j := range spy.seen[2] {
		if trained[j.TrackingNumber] {
			t.Fatalf("test shipment %s was trained on", j.TrackingNumber)
		}
	}
	if len(spy.seen[2]) == 0 {
		t.Fatal("empty test slice")
	}
}

type spySource struct {
	*memSource
	calls [][3]time.Time
	seen  [][]Journey
}

func (s *spySource) Delivered(ctx context.Context, from, to, before time.Time, fn func(*Journey) error) error {
	s.calls = append(s.calls, [3]time.Time{from, to, before})
	s.seen = append(s.seen, nil)
	i := len(s.seen) - 1
	return s.memSource.Delivered(ctx, from, to, before, func(j *Journey) error {
		s.seen[i] = append(s.seen[i], *j)
		return fn(j)
	})
}

func TestLaneOffsetsShrinkSparseLanes(t *testing.T) {
	l := newLaneStats(1)
	coef := []float64{0}
	add := func(key string, shipments int, resid float64) {
		s := l.get(key)
		for i := 0; i < shipments; i++ {
			s.shipments++
			s.add(&Row{Idx: []int32{0}, Val: []float64{1}}, resid)
		}
	}
	// Lanes that really differ by ±0.5, and one lane seen once with a
	// residual as large.
	for i := 0; i < 20; i++ {
		add(strconv.Itoa(i), 400, []float64{-0.5, 0.5}[i%2])
	}
	add("rare", 1, 0.5)
	off := l.offsets(coef, 0.25)
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

func TestTrainRefusesTooLittleHistory(t *testing.T) {
	_, err := Train(context.Background(), newMemSource(sim.Config{Seed: 1, Shipments: 20}), TrainConfig{})
	if !errors.Is(err, ErrNotEnoughHistory) {
		t.Fatalf("err = %v, want ErrNotEnoughHistory", err)
	}
}

func TestArtifactRoundTripAndRefusals(t *testing.T) {
	m, err := Train(context.Background(), newMemSource(sim.Config{Seed: 2, Shipments: 1500}), TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "eta.json")
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	j := newMemSource(sim.Config{Seed: 99, Shipments: 1}).journeys[0]
	snap := j.SnapshotAt(1)
	if m.Predict(snap) != back.Predict(snap) {
		t.Fatal("loaded model predicts differently")
	}

	good, _ := os.ReadFile(path)
	corrupt := append([]byte{}, good...)
	i := len(corrupt) / 2
	corrupt[i] ^= 0x01 // one bit flipped inside the model body
	for name, b := range map[string][]byte{
		"truncated":  good[:len(good)/2],
		"bit flip":   corrupt,
		"empty":      {},
		"not a file": []byte(`{"format":"something-else"}`),
	} {
		if _, err := Decode(b); !errors.Is(err, ErrBadArtifact) {
			t.Errorf("%s: err = %v, want ErrBadArtifact", name, err)
		}
	}
}
