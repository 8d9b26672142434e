package chstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

// liveEvent is a scan of number at t, with its computed id.
func liveEvent(carrier, number, key string, t time.Time, status schemas.Status, region string) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: number, Carrier: carrier, ShipmentKey: key, Service: "ground", Status: status,
		EventTime: t, UTCOffsetMinutes: -300, CarrierCode: "X" + string(status), Description: "scan " + string(status),
		Location:    schemas.Location{City: "Memphis", Region: region, PostalCode: "38118", Country: "US", HasCoords: true, Lat: 35.04, Lon: -89.98},
		Origin:      schemas.Location{PostalCode: region + "001", Region: region, Country: "US"},
		Destination: schemas.Location{PostalCode: "60601", Region: "IL", Country: "US"},
		Mode:        "ground", Source: schemas.Source{IngestedAt: t.Add(time.Minute)}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

// The bootstrap loads every scan of the numbers seen since the horizon,
// each once, whole; a number last seen before it is not loaded.
func TestLiveBootstrap(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	promised := now.Add(2 * day)
	recent := []schemas.ScanEvent{
		liveEvent("ups", "1Z999AA10123456784", "", now.Add(-80*day), schemas.StatusInfoReceived, "NY"), // begun long ago
		liveEvent("ups", "1Z999AA10123456784", "", now.Add(-day), schemas.StatusInTransit, "NY"),
	}
	recent[1].PromisedDelivery = &promised
	recent[1].OffsetApproximate = true
	old := liveEvent("usps", "9400100000000000000000", "", now.Add(-70*day), schemas.StatusDelivered, "WA")
	w := chstore.NewScanWriter(db)
	// Written twice, in two parts: FINAL gives each scan once.
	for range 2 {
		if err := w.WriteEvents(ctx, append(slices.Clone(recent), old)); err != nil {
			t.Fatal(err)
		}
	}
	var got []schemas.ScanEvent
	err := chstore.NewLiveScans(db).RecentScans(ctx, now.Add(-live.DefaultMaxSilence), func(e *schemas.ScanEvent) error {
		got = append(got, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b schemas.ScanEvent) int { return a.EventTime.Compare(b.EventTime) })
	if len(got) != 2 {
		t.Fatalf("got %d scans, want 2: %+v", len(got), got)
	}
	for i := range got {
		want := recent[i]
		if got[i].PromisedDelivery != nil {
			if want.PromisedDelivery == nil || !got[i].PromisedDelivery.Equal(*want.PromisedDelivery) {
				t.Errorf("scan %d promised %v, want %v", i, got[i].PromisedDelivery, want.PromisedDelivery)
			}
			got[i].PromisedDelivery, want.PromisedDelivery = nil, nil
		} else if want.PromisedDelivery != nil {
			t.Errorf("scan %d lost its promise", i)
			want.PromisedDelivery = nil
		}
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want) {
			t.Errorf("scan %d\n got %+v\nwant %+v", i, got[i], want)
		}
	}

	// Through the store: bootstrapped, ready, and the scans held.
	s, err := live.New(live.Options{Bootstrap: chstore.NewLiveScans(db), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s.Ready(), live.ErrBootstrapping) {
		t.Fatalf("ready before the bootstrap: %v", s.Ready())
	}
	if err := s.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(); err != nil {
		t.Fatal(err)
	}
	if n, sc := s.Len(); n != 1 || sc != 2 {
		t.Errorf("held %d numbers, %d scans; want 1, 2", n, sc)
	}
}

// countingLookup counts the queries the store sends.
type countingLookup struct {
	l *chstore.LiveScans
	n atomic.Int64
}

func (c *countingLookup) Scans(ctx context.Context, number string) ([]schemas.ScanEvent, error) {
	c.n.Add(1)
	return c.l.Scans(ctx, number)
}

// A number not held is looked up: found, it is held from then on; not
// found, the database is not asked again while the miss is cached; with
// the database unreachable, the error is ErrUnavailable within the
// deadline.
func TestLiveFallback(t *testing.T) {
	ctx := context.Background()
	cfg, db := env.Database(t)
	proxy, pdb := proxied(t, cfg)
	now := time.Now().UTC().Truncate(time.Second)
	held := liveEvent("fedex", "799531274483", "", now.Add(-time.Hour), schemas.StatusPickedUp, "TN")
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, []schemas.ScanEvent{held}); err != nil {
		t.Fatal(err)
	}
	lookup := &countingLookup{l: chstore.NewLiveScans(pdb)}
	const timeout = 300 * time.Millisecond
	s, err := live.New(live.Options{Lookup: lookup, LookupTimeout: timeout, NotFoundSize: 2, NotFoundTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	sh, ok, err := s.Shipment(ctx, held.TrackingNumber)
	if err != nil || !ok || sh.Timeline[0].EventID != held.EventID {
		t.Fatalf("fallback: %v %v %+v", ok, err, sh)
	}
	if n, _ := s.Len(); n != 1 {
		t.Errorf("the number found is not held: %d held", n)
	}
	if _, ok, _ := s.Shipment(ctx, held.TrackingNumber); !ok || lookup.n.Load() != 1 {
		t.Errorf("a held number was looked up again: %d queries", lookup.n.Load())
	}
	// Unknown numbers: one query each, then cached; the cache holds two,
	// so a third pushes the first out.
	unknown := []string{"1Z999AA10000000001", "1Z999AA10000000002", "1Z999AA10000000003"}
	for round := range 5 {
		for _, n := range unknown[:2] {
			if _, ok, err := s.Shipment(ctx, n); ok || err != nil {
				t.Fatalf("round %d %s: %v %v", round, n, ok, err)
			}
		}
	}
	if got := lookup.n.Load(); got != 3 {
		t.Errorf("%d queries for 10 lookups of 2 unknown numbers, want 1 + 2", got)
	}
	for _, n := range []string{unknown[2], unknown[0]} {
		_, _, _ = s.Shipment(ctx, n)
	}
	if got := lookup.n.Load(); got != 5 {
		t.Errorf("%d queries after evicting a miss, want 5", got)
	}

	// The outage: the connections cut, a lookup fails within its deadline.
	proxy.Cut()
	for _, n := range []string{"1Z999AA10000000009", "1Z999AA10000000010"} {
		start := time.Now()
		_, _, err = s.Shipment(ctx, n)
		took := time.Since(start)
		if !errors.Is(err, live.ErrUnavailable) {
			t.Errorf("outage lookup of %s: %v, want ErrUnavailable", n, err)
		}
		if took > timeout+200*time.Millisecond {
			t.Errorf("outage lookup took %s, deadline %s", took, timeout)
		}
	}
	// What is held still answers.
	if _, ok, err := s.Shipment(ctx, held.TrackingNumber); !ok || err != nil {
		t.Errorf("held number during the outage: %v %v", ok, err)
	}
}

// The store splits a reused number into journeys, and picks the latest,
// exactly as History.Journey does, on the same scans: carriers' keys,
// deliveries followed by a new label, long silences, ties in time, late
// scans, and random mixes of them.
func TestLiveAgreesWithHistoryJourney(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	statuses := []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp, schemas.StatusInTransit,
		schemas.StatusDelivered, schemas.StatusException, schemas.StatusReturnedToSender}
	var events []schemas.ScanEvent
	var numbers []string
	add := func(carrier, number, key string, at time.Duration, st schemas.Status, region string) {
		events = append(events, liveEvent(carrier, number, key, t0.Add(at), st, region))
	}
	// Hand-made cases.
	trip := func(carrier, number, key string, start time.Duration, region string) {
		for i, st := range []schemas.Status{"info_received", "picked_up", "in_transit", "delivered"} {
			add(carrier, number, key, start+time.Duration(i)*day, st, region)
		}
	}
	trip("ups", "1Z999AA10123456784", "", 0, "NY")
	trip("ups", "1Z999AA10123456784", "", 12*day, "TX")
	trip("usps", "9400100000000000000000", "", 0, "WA")
	add("usps", "9400100000000000000000", "", 45*day, "picked_up", "FL")
	trip("fedex", "799531274483", "2460~799531274483~FDEG", 2*day, "TN")
	trip("fedex", "799531274483", "2461~799531274483~FDEG", 2*day, "GA")
	trip("dhl", "799531274483", "", 2*day, "OH") // one number, two carriers
	// Scans at the same second, different statuses and services.
	add("ups", "1Z999AA10123456793", "", 0, "picked_up", "OH")
	add("ups", "1Z999AA10123456793", "", 0, "info_received", "MI")
	add("ups", "1Z999AA10123456793", "", 0, "delivered", "MI")
	add("ups", "1Z999AA10123456793", "", 0, "picked_up", "IN")
	numbers = append(numbers, "1Z999AA10123456784", "9400100000000000000000", "799531274483", "1Z999AA10123456793")
	// Random mixes: a fixed seed, so a failure can be replayed.
	seed := uint64(20261202)
	rnd := func(n int) int { seed = seed*6364136223846793005 + 1442695040888963407; return int(seed>>33) % n }
	for i := range 60 {
		number := fmt.Sprintf("1Z999AA1%010d", 9000000+i)
		numbers = append(numbers, number)
		at := time.Duration(0)
		for range 1 + rnd(14) {
			at += time.Duration(rnd(4)) * []time.Duration{time.Hour, day, 20 * day, 0}[rnd(4)]
			carrier, key := "ups", ""
			if rnd(5) == 0 {
				key = "k" + fmt.Sprint(rnd(2))
			}
			if rnd(9) == 0 {
				carrier = "fedex"
			}
			add(carrier, number, key, at, statuses[rnd(len(statuses))], []string{"GA", "TX"}[rnd(2)])
		}
	}
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	s, err := live.New(live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Applied in reverse, so that every scan comes late.
	rev := slices.Clone(events)
	slices.Reverse(rev)
	s.Apply(rev)
	h := chstore.NewHistory(db)
	for _, n := range numbers {
		want, ok, err := h.Journey(ctx, n)
		if err != nil || !ok {
			t.Fatalf("History.Journey(%s): %v %v", n, ok, err)
		}
		got, ok, err := s.Shipment(ctx, n)
		if err != nil || !ok {
			t.Fatalf("Store.Shipment(%s): %v %v", n, ok, err)
		}
		if g, w := fmt.Sprintf("%+v", got.Journey), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("%s:\nstore   %s\nhistory %s", n, g, w)
		}
	}
}

// With ClickHouse unreachable at start, the bootstrap is retried and the
// store stays not ready; once it is back, the bootstrap completes.
func TestLiveBootstrapOutage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, db := env.Database(t)
	now := time.Now().UTC().Truncate(time.Second)
	if err := chstore.NewScanWriter(db).WriteEvents(ctx, []schemas.ScanEvent{
		liveEvent("ups", "1Z999AA10123456784", "", now.Add(-time.Hour), schemas.StatusPickedUp, "GA")}); err != nil {
		t.Fatal(err)
	}
	proxy, pdb := proxied(t, cfg)
	proxy.Cut()
	s, err := live.New(live.Options{Bootstrap: chstore.NewLiveScans(pdb)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	// Not ready while the server cannot be reached: checked over a while
	// the first retry falls in (it waits a second).
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		if !errors.Is(s.Ready(), live.ErrBootstrapping) {
			t.Fatalf("ready during the outage: %v", s.Ready())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := proxy.Restore(); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for s.Ready() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 30 s after the server came back: %v", s.Ready())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := s.Len(); n != 1 {
		t.Errorf("held %d numbers after the bootstrap", n)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

// proxied is a connection to the database of cfg through a proxy the
// test can cut; both close when the test ends.
func proxied(t *testing.T, cfg chstore.Config) (*testenv.Proxy, *chstore.DB) {
	t.Helper()
	proxy, err := testenv.NewProxy(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	pcfg := cfg
	pcfg.Addr = proxy.Addr
	pdb, err := chstore.Open(context.Background(), pcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pdb.Close() })
	return proxy, pdb
}
