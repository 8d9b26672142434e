package predict

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// memRecorder keeps what it is given; it fails while fail is set.
type memRecorder struct {
	mu      sync.Mutex
	got     []schemas.ServedPrediction
	batches int
	fail    error
}

func (r *memRecorder) WritePredictions(_ context.Context, ps []schemas.ServedPrediction) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, ps...)
	r.batches++
	return nil
}

func (r *memRecorder) written() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// sampleAt samples a prediction of 24 h for shipment tn/key at status,
// the snapshot an hour before at.
func sampleAt(s *Sampler, tn, key string, status schemas.Status, at time.Time) {
	j := model.Journey{TrackingNumber: tn, ShipmentKey: key, Carrier: "ups", Service: "ground"}
	snap := model.Snapshot{Carrier: "ups", Service: "ground", OriginArea: "US9", DestArea: "US1", Status: status, At: at.Add(-time.Hour)}
	w := window(snap.At, at, model.Prediction{P10: 20, P50: 24, P90: 30, P95: 36})
	s.Sample(&j, snap, w, "v1", at)
}

// drain empties the sampler's queue and returns what it held.
func drain(s *Sampler) []schemas.ServedPrediction {
	var out []schemas.ServedPrediction
	for {
		select {
		case p := <-s.queue:
			out = append(out, p)
		default:
			return out
		}
	}
}

func TestSamplerDedupe(t *testing.T) {
	day1 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	day2 := day1.Add(23 * time.Hour) // 09:00 the next day
	steps := []struct {
		name   string
		tn     string
		key    string
		status schemas.Status
		at     time.Time
		want   bool
	}{
		{"first of the day", "1ZA", "", schemas.StatusInTransit, day1, true},
		{"same day, same status", "1ZA", "", schemas.StatusInTransit, day1.Add(5 * time.Hour), false},
		{"status change", "1ZA", "", schemas.StatusOutForDelivery, day1.Add(6 * time.Hour), true},
		{"back to a status seen today", "1ZA", "", schemas.StatusInTransit, day1.Add(7 * time.Hour), false},
		{"another shipment", "1ZB", "", schemas.StatusInTransit, day1.Add(7 * time.Hour), true},
		{"another key under the same number", "1ZA", "k2", schemas.StatusInTransit, day1.Add(8 * time.Hour), true},
		{"next day, same status", "1ZA", "", schemas.StatusOutForDelivery, day2, true},
		{"next day again", "1ZA", "", schemas.StatusOutForDelivery, day2.Add(14*time.Hour + 59*time.Minute), false},
		{"next day, a status of the day before", "1ZA", "", schemas.StatusInTransit, day2.Add(time.Hour), true},
		{"a late request of the day before counts as the new day's", "1ZB", "", schemas.StatusInTransit, day1.Add(13*time.Hour + 59*time.Minute), true},
		{"so the new day has it", "1ZB", "", schemas.StatusInTransit, day2.Add(time.Hour), false},
		{"the new day's keys are kept", "1ZA", "", schemas.StatusInTransit, day2.Add(2 * time.Hour), false},
	}
	s := NewSampler(&memRecorder{}, DefaultSamplerConfig(), nil, nil)
	for _, st := range steps {
		sampleAt(s, st.tn, st.key, st.status, st.at)
		got := drain(s)
		if (len(got) == 1) != st.want || len(got) > 1 {
			t.Fatalf("%s: %d sampled, want sampled=%v", st.name, len(got), st.want)
		}
		if len(got) == 1 {
			p := got[0]
			if p.TrackingNumber != st.tn || p.ShipmentKey != st.key || p.Status != st.status || !p.ServedAt.Equal(st.at) ||
				!p.SnapshotAt.Equal(st.at.Add(-time.Hour)) || p.ModelVersion != "v1" || p.OriginArea != "US9" || p.DestArea != "US1" {
				t.Errorf("%s: sampled %+v", st.name, p)
			}
			if want := st.at.Add(23 * time.Hour); !p.P50.Equal(want) || p.HoursToGo != 23 {
				t.Errorf("%s: p50 %s, %.1f h to go; want %s, 23 h", st.name, p.P50, p.HoursToGo, want)
			}
		}
	}
	if got := testutil.ToFloat64(s.sampled); got != 7 {
		t.Errorf("sampled counter %v, want 7", got)
	}
}

func TestSamplerQueueFullDropsAndCounts(t *testing.T) {
	cfg := DefaultSamplerConfig()
	cfg.Queue = 2
	s := NewSampler(&memRecorder{}, cfg, nil, nil)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	done := make(chan struct{})
	go func() { // a full queue must not block the caller
		for _, tn := range []string{"1ZA", "1ZB", "1ZC"} {
			sampleAt(s, tn, "", schemas.StatusInTransit, at)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Sample blocked on a full queue")
	}
	if got := testutil.ToFloat64(s.dropped.WithLabelValues(dropQueueFull)); got != 1 {
		t.Errorf("dropped{queue_full} = %v, want 1", got)
	}
	if got := len(drain(s)); got != 2 {
		t.Errorf("%d queued, want 2", got)
	}
	// The dropped one was not marked seen: once there is room it is taken.
	sampleAt(s, "1ZC", "", schemas.StatusInTransit, at.Add(time.Minute))
	if got := drain(s); len(got) != 1 || got[0].TrackingNumber != "1ZC" {
		t.Errorf("after the drop, sampled %+v, want 1ZC", got)
	}
}

func TestSamplerBoundedDedupe(t *testing.T) {
	cfg := DefaultSamplerConfig()
	cfg.MaxSeen = 2
	s := NewSampler(&memRecorder{}, cfg, nil, nil)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tn := range []string{"1ZA", "1ZB", "1ZC"} {
		sampleAt(s, tn, "", schemas.StatusInTransit, at)
	}
	if got := len(drain(s)); got != 2 {
		t.Errorf("%d sampled with room for 2 keys", got)
	}
	if got := testutil.ToFloat64(s.dropped.WithLabelValues(dropSeenFull)); got != 1 {
		t.Errorf("dropped{dedupe_full} = %v, want 1", got)
	}
	// The next day starts with no keys.
	sampleAt(s, "1ZC", "", schemas.StatusInTransit, at.Add(24*time.Hour))
	if got := len(drain(s)); got != 1 {
		t.Errorf("next day: %d sampled, want 1", got)
	}
}

func TestSamplerRunWritesBatches(t *testing.T) {
	cases := []struct {
		name        string
		batch       int
		flush       time.Duration
		n           int
		beforeStop  int // written before ctx ends
		wantBatches int // 0: not checked, as the ticker may split them
	}{
		{"full batches, the rest at stop", 3, time.Hour, 7, 6, 3},
		{"by the flush interval", 100, 10 * time.Millisecond, 2, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &memRecorder{}
			cfg := DefaultSamplerConfig()
			cfg.Batch, cfg.FlushInterval = c.batch, c.flush
			s := NewSampler(rec, cfg, nil, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopped := make(chan struct{})
			go func() { s.Run(ctx); close(stopped) }()
			at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			for i := range c.n {
				sampleAt(s, "1Z"+strings.Repeat("A", i+1), "", schemas.StatusInTransit, at)
			}
			waitFor(t, func() bool { return rec.written() >= c.beforeStop })
			cancel()
			select {
			case <-stopped:
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return after its context ended")
			}
			if rec.written() != c.n || c.wantBatches > 0 && rec.batches != c.wantBatches {
				t.Errorf("%d written in %d batches, want %d in %d", rec.written(), rec.batches, c.n, c.wantBatches)
			}
			if got := testutil.ToFloat64(s.written); got != float64(c.n) {
				t.Errorf("written counter %v, want %d", got, c.n)
			}
		})
	}
}

func TestSamplerWriteFailureCountedLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	rec := &memRecorder{fail: errors.New("clickhouse down")}
	s := NewSampler(rec, DefaultSamplerConfig(), slog.New(slog.NewTextHandler(&logs, nil)), nil)
	batch := make([]schemas.ServedPrediction, 4)
	for range 3 {
		batch = s.flush(context.Background(), batch[:4])
		if len(batch) != 0 {
			t.Fatalf("flush left %d in the batch", len(batch))
		}
	}
	if got := testutil.ToFloat64(s.failed); got != 12 {
		t.Errorf("write_failed counter %v, want 12", got)
	}
	if n := strings.Count(logs.String(), "sampled predictions not written"); n != 1 {
		t.Errorf("%d failure logs in a minute, want 1:\n%s", n, logs.String())
	}
}

// absErrors returns the error histogram's count and sum for carrier.
func absErrors(t *testing.T, reg *prometheus.Registry, carrier string) (uint64, float64) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "parcelcast_eta_abs_error_hours" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "carrier" && l.GetValue() == carrier {
					return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
				}
			}
		}
	}
	return 0, 0
}

func TestShipmentChangedObservesOncePerDelivery(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := NewSampler(&memRecorder{}, DefaultSamplerConfig(), nil, reg)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	p50 := at.Add(23 * time.Hour) // sampleAt's p50
	shipment := func(tn string, scans ...model.Scan) Shipment {
		return Shipment{Journey: model.Journey{TrackingNumber: tn, Carrier: "ups", Scans: scans}}
	}
	inTransit := model.Scan{Time: at.Add(-time.Hour), Status: schemas.StatusInTransit}
	sampleAt(s, "1ZA", "", schemas.StatusInTransit, at)
	sampleAt(s, "1ZR", "", schemas.StatusInTransit, at)
	sampleAt(s, "1ZOLD", "", schemas.StatusInTransit, at)

	steps := []struct {
		name      string
		sh        Shipment
		wantCount uint64
		wantSum   float64
	}{
		{"still in flight", shipment("1ZA", inTransit), 0, 0},
		{"never sampled, delivered", shipment("1ZNEVER", inTransit, model.Scan{Time: p50, Status: schemas.StatusDelivered}), 0, 0},
		{"delivered before the snapshot only", shipment("1ZOLD", model.Scan{Time: at.Add(-48 * time.Hour), Status: schemas.StatusDelivered}, inTransit), 0, 0},
		{"delivered 5 h after p50", shipment("1ZA", inTransit, model.Scan{Time: p50.Add(5 * time.Hour), Status: schemas.StatusDelivered}), 1, 5},
		{"the same delivery again", shipment("1ZA", inTransit, model.Scan{Time: p50.Add(5 * time.Hour), Status: schemas.StatusDelivered}), 1, 5},
		{"returned: forgotten", shipment("1ZR", inTransit, model.Scan{Time: p50, Status: schemas.StatusReturnedToSender}), 1, 5},
		{"delivered after the return", shipment("1ZR", inTransit, model.Scan{Time: p50.Add(time.Hour), Status: schemas.StatusDelivered}), 1, 5},
		{"the older shipment delivered 3 h early", shipment("1ZOLD", model.Scan{Time: at.Add(-48 * time.Hour), Status: schemas.StatusDelivered}, inTransit,
			model.Scan{Time: p50.Add(-3 * time.Hour), Status: schemas.StatusDelivered}), 2, 8},
	}
	for _, st := range steps {
		s.ShipmentChanged(st.sh)
		if n, sum := absErrors(t, reg, "ups"); n != st.wantCount || sum != st.wantSum {
			t.Errorf("%s: histogram has %d observations summing %.1f h, want %d and %.1f", st.name, n, sum, st.wantCount, st.wantSum)
		}
	}
	if got := testutil.ToFloat64(s.awaiting); got != 0 {
		t.Errorf("%v shipments still awaiting delivery, want 0", got)
	}
}

func TestPendingAgesOut(t *testing.T) {
	cfg := DefaultSamplerConfig()
	cfg.PendingRetention = 48 * time.Hour
	s := NewSampler(&memRecorder{}, cfg, nil, nil)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	sampleAt(s, "1ZLOST", "", schemas.StatusInTransit, at)
	sampleAt(s, "1ZB", "", schemas.StatusInTransit, at.Add(24*time.Hour))
	if got := testutil.ToFloat64(s.awaiting); got != 2 {
		t.Fatalf("%v awaiting, want 2", got)
	}
	sampleAt(s, "1ZC", "", schemas.StatusInTransit, at.Add(72*time.Hour))
	if got := testutil.ToFloat64(s.awaiting); got != 2 {
		t.Errorf("%v awaiting after three days, want 2 (the lost parcel's sample aged out)", got)
	}
}

func TestETAHandlerSamples(t *testing.T) {
	s := newTestServer(t)
	s.sampler = NewSampler(&memRecorder{}, DefaultSamplerConfig(), nil, s.reg)
	for range 3 {
		if code, body := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784/eta", ""); code != 200 {
			t.Fatalf("eta: %d %v", code, body)
		}
	}
	if code, _ := do(t, s, "GET", "/v1/shipments/9400111899223100000017/eta", ""); code != 200 { // delivered: no ETA
		t.Fatalf("eta of a delivered shipment: %d", code)
	}
	got := drain(s.sampler)
	if len(got) != 1 {
		t.Fatalf("%d sampled after three requests for one shipment and one for a delivered one, want 1", len(got))
	}
	p := got[0]
	if p.TrackingNumber != "1Z999AA10123456784" || p.Carrier != "ups" || p.Status != schemas.StatusPickedUp ||
		p.ModelVersion != "test-1" || !p.ServedAt.Equal(t0.Add(4*time.Hour)) || !p.SnapshotAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("sampled %+v", p)
	}
	if n, err := testutil.GatherAndCount(s.reg, "parcelcast_predictions_sampled_total"); err != nil || n != 1 {
		t.Errorf("the registry has %d parcelcast_predictions_sampled_total series (%v), want 1", n, err)
	} else if v := testutil.ToFloat64(s.sampler.sampled); v != 1 {
		t.Errorf("parcelcast_predictions_sampled_total is %v, want 1", v)
	}
	// The bias-only test model says 24 h from the snapshot.
	if want := t0.Add(27 * time.Hour); !p.P50.Equal(want) || p.HoursToGo != 23 {
		t.Errorf("p50 %s, %.1f h to go; want %s, 23 h", p.P50, p.HoursToGo, want)
	}
}

// BenchmarkSample is the cost the sampler adds to an ETA request: for a
// shipment already sampled today at its status (the common case), and for
// one not yet sampled (its queue drained by a writer that discards).
func BenchmarkSample(b *testing.B) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tns := make([]string, 1<<16)
	for i := range tns {
		tns[i] = fmt.Sprintf("1Z999AA1%010d", i)
	}
	b.Run("off", func(b *testing.B) { // the same calls with no sampler
		var s *Sampler
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			sampleAt(s, tns[i%1024], "", schemas.StatusInTransit, at)
		}
	})
	b.Run("seen", func(b *testing.B) {
		s := NewSampler(&memRecorder{}, DefaultSamplerConfig(), nil, nil)
		for _, tn := range tns[:1024] {
			sampleAt(s, tn, "", schemas.StatusInTransit, at)
		}
		drain(s)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			sampleAt(s, tns[i%1024], "", schemas.StatusInTransit, at)
		}
	})
	b.Run("new", func(b *testing.B) {
		cfg := DefaultSamplerConfig()
		cfg.MaxSeen = len(tns) * 16
		s := NewSampler(&memRecorder{}, cfg, nil, nil)
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-s.queue:
				case <-done:
					return
				}
			}
		}()
		defer close(done)
		statuses := []schemas.Status{schemas.StatusPickedUp, schemas.StatusInTransit, schemas.StatusArrivedAtFacility,
			schemas.StatusDepartedFacility, schemas.StatusOutForDelivery}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			// A new day every len(tns)×len(statuses) samples keeps them new.
			n := i / len(tns)
			sampleAt(s, tns[i%len(tns)], "", statuses[n%len(statuses)], at.Add(time.Duration(n/len(statuses))*24*time.Hour))
		}
	})
}

// The carriers a pending sample names are interned up to maxCarriers;
// the errors of carriers beyond are observed as "other".
func TestErrorsOfCarriersBeyondTheBound(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := DefaultSamplerConfig()
	cfg.Queue = 1 << 12
	s := NewSampler(&memRecorder{}, cfg, nil, reg)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	n := maxCarriers + 76
	for i := range n {
		carrier := fmt.Sprintf("c%d", i)
		j := model.Journey{TrackingNumber: fmt.Sprintf("T%d", i), Carrier: carrier}
		snap := model.Snapshot{Status: schemas.StatusInTransit, At: at}
		s.Sample(&j, snap, window(at, at, model.Prediction{P10: 1, P50: 2, P90: 3, P95: 4}), "v1", at)
		j.Scans = []model.Scan{{Time: at.Add(3 * time.Hour), Status: schemas.StatusDelivered}}
		s.ShipmentChanged(Shipment{Journey: j})
	}
	for _, c := range []struct {
		carrier string
		want    uint64
	}{{"c0", 1}, {fmt.Sprintf("c%d", maxCarriers-2), 1}, {fmt.Sprintf("c%d", maxCarriers-1), 0}, {otherCarrier, 77}} {
		if got, sum := absErrors(t, reg, c.carrier); got != c.want || sum != float64(c.want) {
			t.Errorf("carrier %s: %d observations summing %.1f h, want %d of 1 h", c.carrier, got, sum, c.want)
		}
	}
}

// BenchmarkSamplerMemory reports the heap the sampler holds for a million
// shipments sampled in a day: their dedupe keys and their samples
// awaiting delivery (run with -benchtime 1x).
func BenchmarkSamplerMemory(b *testing.B) {
	const n = 1 << 20
	tns := make([]string, n)
	for i := range tns {
		tns[i] = fmt.Sprintf("1Z999AA1%010d", i)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for range b.N {
		s := NewSampler(&memRecorder{}, DefaultSamplerConfig(), nil, nil)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, tn := range tns {
			sampleAt(s, tn, "", schemas.StatusInTransit, at)
			drain(s)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if len(s.seen) != n || len(s.pending) != n {
			b.Fatalf("%d keys and %d pending, want %d", len(s.seen), len(s.pending), n)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6*(1e6/n), "MB/M-shipments")
	}
}
