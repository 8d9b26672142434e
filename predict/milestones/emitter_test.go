package milestones_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/milestones"
	"github.com/parcelcast/parcelcast/schemas"
)

// topic is a fake publisher: what it was given, failing the first
// failures calls.
type topic struct {
	mu       sync.Mutex
	got      []schemas.Milestone
	failures int
}

func (p *topic) PublishMilestones(_ context.Context, ms []schemas.Milestone) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures > 0 {
		p.failures--
		return errors.New("broker down")
	}
	p.got = append(p.got, ms...)
	return nil
}

func (p *topic) published() []schemas.Milestone {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]schemas.Milestone(nil), p.got...)
}

// table is a fake recorder keeping rows by id, failing the first
// failures writes.
type table struct {
	mu       sync.Mutex
	rows     map[string]schemas.Milestone
	failures int
}

func newTable() *table { return &table{rows: map[string]schemas.Milestone{}} }

func (t *table) RecordMilestones(_ context.Context, ms []schemas.Milestone) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failures > 0 {
		t.failures--
		return errors.New("database down")
	}
	for _, m := range ms {
		t.rows[m.ID] = m
	}
	return nil
}

func (t *table) PublishedMilestones(_ context.Context, since time.Time, fn func(schemas.Milestone) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range t.rows {
		if !m.DetectedAt.Before(since) {
			if err := fn(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *table) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.rows)
}

// held is a fake live state: shipments by number.
type held struct {
	mu sync.Mutex
	m  map[string]predict.Shipment
}

func (h *held) Shipment(_ context.Context, n string) (predict.Shipment, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sh, ok := h.m[n]
	return sh, ok, nil
}

func (h *held) Each(fn func(predict.Shipment) bool) {
	h.mu.Lock()
	all := make([]predict.Shipment, 0, len(h.m))
	for _, sh := range h.m {
		all = append(all, sh)
	}
	h.mu.Unlock()
	for _, sh := range all {
		if !fn(sh) {
			return
		}
	}
}

// start runs an emitter until the test ends.
func start(t *testing.T, opts milestones.Options) *milestones.Emitter {
	t.Helper()
	if opts.RecheckInterval == 0 {
		opts.RecheckInterval = 10 * time.Millisecond
	}
	e, err := milestones.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return e
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10 s: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// kinds counts the published milestones by kind, and checks that each id
// is of one kind and shipment.
func kinds(t *testing.T, ms []schemas.Milestone) map[schemas.MilestoneKind]int {
	t.Helper()
	out := map[schemas.MilestoneKind]int{}
	for _, m := range ms {
		out[m.Kind]++
		if m.ID != milestones.ID(m.Carrier, m.TrackingNumber, m.ShipmentKey, m.ShipmentStart, m.Kind) {
			t.Errorf("milestone %s: id not the shipment's and kind's", m.ID)
		}
	}
	return out
}

// prefixes are the shipment as its scans arrive, one more at a time.
func prefixes(scans ...scan) []predict.Shipment {
	var out []predict.Shipment
	for i := range scans {
		out = append(out, shipment(scans[:i+1]...))
	}
	return out
}

func TestEmitterOncePerKind(t *testing.T) {
	journey := []scan{{0, schemas.StatusInfoReceived, atlanta}, {2, schemas.StatusPickedUp, atlanta},
		{2, schemas.StatusPickedUp, atlanta}, {20, schemas.StatusArrivedAtFacility, denver},
		{30, schemas.StatusOutForDelivery, denver}, {31, schemas.StatusOutForDelivery, denver},
		{40, schemas.StatusDelivered, dest}}
	lateFirst := []scan{{30, schemas.StatusOutForDelivery, denver}, {2, schemas.StatusPickedUp, atlanta},
		{40, schemas.StatusDelivered, dest}, {20, schemas.StatusArrivedAtFacility, denver}, {0, schemas.StatusInfoReceived, atlanta}}
	cases := []struct {
		name    string
		changes []predict.Shipment
		want    map[schemas.MilestoneKind]int
	}{
		{"in order, with duplicates", prefixes(journey...),
			map[schemas.MilestoneKind]int{schemas.MilestoneShipped: 1, schemas.MilestoneArrivedAtFacility: 1,
				schemas.MilestoneOutForDelivery: 1, schemas.MilestoneDelivered: 1}},
		{"out of order, the first scan arriving last", prefixes(lateFirst...),
			map[schemas.MilestoneKind]int{schemas.MilestoneShipped: 1, schemas.MilestoneArrivedAtFacility: 1,
				schemas.MilestoneOutForDelivery: 1, schemas.MilestoneDelivered: 1}},
		{"every change told twice", append(prefixes(journey...), prefixes(journey...)...),
			map[schemas.MilestoneKind]int{schemas.MilestoneShipped: 1, schemas.MilestoneArrivedAtFacility: 1,
				schemas.MilestoneOutForDelivery: 1, schemas.MilestoneDelivered: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pub, rec := &topic{}, newTable()
			e := start(t, milestones.Options{Publisher: pub, Recorder: rec})
			for _, sh := range c.changes {
				e.ShipmentChanged(sh)
			}
			total := 0
			for _, n := range c.want {
				total += n
			}
			eventually(t, "every milestone recorded", func() bool { return rec.len() == total })
			got := kinds(t, pub.published())
			for k, n := range c.want {
				if got[k] != n {
					t.Errorf("%s published %d times, want %d (%v)", k, got[k], n, got)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("published kinds %v, want %v", got, c.want)
			}
		})
	}
}

func TestEmitterReusedNumber(t *testing.T) {
	pub, rec := &topic{}, newTable()
	e := start(t, milestones.Options{Publisher: pub, Recorder: rec})
	first := shipment(scan{2, schemas.StatusPickedUp, atlanta}, scan{40, schemas.StatusDelivered, dest})
	again := shipment(scan{24 * 90, schemas.StatusPickedUp, atlanta})
	e.ShipmentChanged(first)
	e.ShipmentChanged(again)
	e.ShipmentChanged(first) // a replay of the old journey changes nothing
	eventually(t, "three milestones", func() bool { return rec.len() == 3 })
	ms := pub.published()
	if len(ms) != 3 {
		t.Fatalf("published %d milestones, want 3: %+v", len(ms), ms)
	}
	if ms[2].Kind != schemas.MilestoneShipped || ms[2].ID == ms[0].ID || !ms[2].ShipmentStart.Equal(t0.Add(24*90*time.Hour)) {
		t.Fatalf("the new journey's shipped milestone = %+v, the old one's %+v", ms[2], ms[0])
	}
}

// TestEmitterLateFirstScan: a scan older than the shipment's first known
// one does not make a new shipment, so a milestone already published is
// not published again under another id.
func TestEmitterLateFirstScan(t *testing.T) {
	pub, rec := &topic{}, newTable()
	e := start(t, milestones.Options{Publisher: pub, Recorder: rec})
	e.ShipmentChanged(shipment(scan{5, schemas.StatusInTransit, hub}))
	e.ShipmentChanged(shipment(scan{5, schemas.StatusInTransit, hub}, scan{2, schemas.StatusPickedUp, atlanta}))
	e.ShipmentChanged(shipment(scan{5, schemas.StatusInTransit, hub}, scan{2, schemas.StatusPickedUp, atlanta},
		scan{30, schemas.StatusDelivered, dest}))
	eventually(t, "two milestones", func() bool { return rec.len() == 2 })
	ms := pub.published()
	if got := kinds(t, ms); got[schemas.MilestoneShipped] != 1 || got[schemas.MilestoneDelivered] != 1 || len(ms) != 2 {
		t.Fatalf("published %+v", ms)
	}
	if !ms[1].ShipmentStart.Equal(ms[0].ShipmentStart) {
		t.Fatalf("the delivered milestone's start %v is not the shipment's %v", ms[1].ShipmentStart, ms[0].ShipmentStart)
	}
}

func TestEmitterRestart(t *testing.T) {
	pub, rec := &topic{}, newTable()
	journey := prefixes(scan{2, schemas.StatusPickedUp, atlanta}, scan{20, schemas.StatusArrivedAtFacility, denver},
		scan{40, schemas.StatusDelivered, dest})
	func() {
		e, err := milestones.New(milestones.Options{Publisher: pub, Recorder: rec})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()
		e.ShipmentChanged(journey[1])
		eventually(t, "two recorded", func() bool { return rec.len() == 2 })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}()
	e := start(t, milestones.Options{Publisher: pub, Recorder: rec})
	for _, sh := range journey { // the replay of the topic after the restart
		e.ShipmentChanged(sh)
	}
	eventually(t, "three recorded", func() bool { return rec.len() == 3 })
	if got := kinds(t, pub.published()); len(pub.published()) != 3 || got[schemas.MilestoneDelivered] != 1 {
		t.Fatalf("published across the restart: %v", got)
	}
}

func TestEmitterRetries(t *testing.T) {
	pub, rec := &topic{failures: 3}, newTable()
	rec.failures = 2
	e := start(t, milestones.Options{Publisher: pub, Recorder: rec})
	e.ShipmentChanged(shipment(scan{2, schemas.StatusPickedUp, atlanta}))
	eventually(t, "recorded after the failures", func() bool { return rec.len() == 1 })
	if n := len(pub.published()); n != 1 {
		t.Fatalf("published %d times, want 1", n)
	}
}

func TestEmitterDropsAreRechecked(t *testing.T) {
	pub, rec := &topic{}, newTable()
	reg := prometheus.NewRegistry()
	h := &held{m: map[string]predict.Shipment{}}
	e, err := milestones.New(milestones.Options{Publisher: pub, Recorder: rec, Shipments: h, QueueSize: 1,
		RecheckInterval: 10 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	// Before Run the queue is not read: all but the first change are dropped.
	const n = 20
	for i := range n {
		sh := shipment(scan{2, schemas.StatusPickedUp, atlanta}, scan{30, schemas.StatusDelivered, dest})
		sh.TrackingNumber = "1Z999AA1" + string(rune('A'+i))
		h.m[sh.TrackingNumber] = sh
		e.ShipmentChanged(sh)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	eventually(t, "every shipment's milestones", func() bool { return rec.len() == 2*n })
	cancel()
	<-done
	if got := len(pub.published()); got != 2*n {
		t.Fatalf("published %d, want %d", got, 2*n)
	}
	if d := testutil.ToFloat64(e.DropsForTest()); d != n-1 {
		t.Fatalf("drops counted %v, want %d", d, n-1)
	}
}

func TestEmitterSweep(t *testing.T) {
	pub, rec := &topic{}, newTable()
	h := &held{m: map[string]predict.Shipment{}}
	sh := shipment(scan{2, schemas.StatusPickedUp, atlanta})
	h.m[sh.TrackingNumber] = sh
	start(t, milestones.Options{Publisher: pub, Recorder: rec, Walker: h, SweepInterval: 10 * time.Millisecond})
	eventually(t, "the sweep publishes a held shipment's milestone", func() bool { return rec.len() == 1 })
}

func TestEmitterRequiresSinks(t *testing.T) {
	if _, err := milestones.New(milestones.Options{Publisher: &topic{}}); err == nil {
		t.Fatal("New without a recorder did not fail")
	}
}
