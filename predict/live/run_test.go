package live_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

// flakyBootstrap fails its first calls, then streams its events.
type flakyBootstrap struct {
	fails  atomic.Int32
	events []schemas.ScanEvent
}

func (f *flakyBootstrap) RecentScans(ctx context.Context, since time.Time, fn func(*schemas.ScanEvent) error) error {
	if f.fails.Add(-1) >= 0 {
		return errors.New("connection refused")
	}
	for i := range f.events {
		if err := fn(&f.events[i]); err != nil {
			return err
		}
	}
	return nil
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Run retries a failed bootstrap, is ready after it (no stream), ages
// shipments out on its ticker, and returns when its context ends.
func TestRun(t *testing.T) {
	boot := &flakyBootstrap{events: []schemas.ScanEvent{ev(tn, 0, schemas.StatusPickedUp), ev(tn, day, schemas.StatusDelivered)}}
	boot.fails.Store(1)
	c := &clock{t: t0.Add(2 * day)}
	s := newStore(t, live.Options{Bootstrap: boot, AgeOutInterval: time.Millisecond, Now: c.now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	waitFor(t, "the bootstrap", func() bool { return s.Ready() == nil })
	if n, sc := s.Len(); n != 1 || sc != 2 {
		t.Fatalf("held %d numbers, %d scans", n, sc)
	}
	c.set(t0.Add(day + live.DefaultRetention + time.Hour))
	waitFor(t, "the age-out", func() bool { n, _ := s.Len(); return n == 0 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

// fakeLookup answers from a map and counts the questions.
type fakeLookup struct {
	mu     sync.Mutex
	events map[string][]schemas.ScanEvent
	asked  int
	err    error
}

func (f *fakeLookup) Scans(ctx context.Context, number string) ([]schemas.ScanEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	return f.events[number], f.err
}

func TestFallback(t *testing.T) {
	ctx := context.Background()
	other := "1Z999AA10000000077"
	own := live.Ownership{Of: 8, Owned: []int{live.Partition(tn, 8)}}
	if own.Owns(other) {
		t.Fatal("pick another number")
	}
	look := &fakeLookup{events: map[string][]schemas.ScanEvent{
		tn:    {ev(tn, 0, schemas.StatusPickedUp)},
		other: {ev(other, 0, schemas.StatusPickedUp), ev(other, time.Hour, schemas.StatusInTransit)},
	}}
	c := &clock{t: t0}
	s := newStore(t, live.Options{Lookup: look, Ownership: own, NotFoundTTL: time.Minute, Now: c.now})
	for _, x := range []struct {
		name      string
		number    string
		found     bool
		scans     int
		asked     int
		heldAfter int
	}{
		{"owned: found and kept", tn, true, 1, 1, 1},
		{"owned: from memory", tn, true, 1, 1, 1},
		{"another replica's: answered, not kept", other, true, 2, 2, 1},
		{"another replica's: asked again", other, true, 2, 3, 1},
		{"unknown: asked", "1Z999AA10000000078", false, 0, 4, 1},
		{"unknown: cached", "1Z999AA10000000078", false, 0, 4, 1},
	} {
		sh, ok, err := s.Shipment(ctx, x.number)
		if err != nil || ok != x.found || len(sh.Scans) != x.scans {
			t.Errorf("%s: %v %v %d scans", x.name, ok, err, len(sh.Scans))
		}
		if n, _ := s.Len(); look.asked != x.asked || n != x.heldAfter {
			t.Errorf("%s: asked %d, want %d; held %d, want %d", x.name, look.asked, x.asked, n, x.heldAfter)
		}
	}
	// The miss expires.
	c.set(t0.Add(2 * time.Minute))
	if _, _, _ = s.Shipment(ctx, "1Z999AA10000000078"); look.asked != 5 {
		t.Errorf("an expired miss was not asked again: %d", look.asked)
	}
	// A failing database: ErrUnavailable wrapping the cause.
	look.err = errors.New("connection refused")
	if _, _, err := s.Shipment(ctx, "1Z999AA10000000079"); !errors.Is(err, live.ErrUnavailable) || !errors.Is(err, look.err) {
		t.Errorf("error %v", err)
	}
	if got := counter(t, s, "parcelcast_live_fallback_lookups_total"); got != 7 {
		t.Errorf("%d lookups counted, want 7 (3 found, 2 not found, 1 cached, 1 unavailable)", got)
	}
}

// storedRefs are references as set through the API.
type storedRefs map[string]struct {
	refs predict.References
	at   time.Time
}

func (r storedRefs) StoredReferences(ctx context.Context, fn func(string, predict.References, time.Time) error) error {
	for tn, v := range r {
		if err := fn(tn, v.refs, v.at); err != nil {
			return err
		}
	}
	return nil
}

// The bootstrap applies the references set through the API to the
// shipment they were set on, not to a later one under a reused number,
// and not over a number it does not hold.
func TestBootstrapAppliesStoredReferences(t *testing.T) {
	const reused, unknown = "1Z999AA10123456793", "1Z999AA10123456800"
	boot := &flakyBootstrap{events: []schemas.ScanEvent{
		ev(tn, 0, schemas.StatusPickedUp), ev(tn, day, schemas.StatusInTransit),
		ev(reused, 0, schemas.StatusPickedUp), ev(reused, day, schemas.StatusDelivered),
		ev(reused, 3*day, schemas.StatusInfoReceived), // a new shipment under the number
	}}
	refs := storedRefs{}
	refs[tn] = struct {
		refs predict.References
		at   time.Time
	}{predict.References{OrderRef: "ORD-1", CustomerRef: "CUS-1"}, t0.Add(2 * time.Hour)}
	refs[reused] = struct {
		refs predict.References
		at   time.Time
	}{predict.References{OrderRef: "ORD-2"}, t0.Add(2 * time.Hour)} // set on the first shipment
	refs[unknown] = struct {
		refs predict.References
		at   time.Time
	}{predict.References{OrderRef: "ORD-3"}, t0}
	s := newStore(t, live.Options{Bootstrap: boot, References: refs, Now: func() time.Time { return t0.Add(4 * day) }})
	if err := s.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		order string
		want  int
	}{{"ORD-1", 1}, {"ORD-2", 0}, {"ORD-3", 0}} {
		got, err := s.ByOrder(context.Background(), c.order)
		if err != nil || len(got) != c.want {
			t.Errorf("order %s: %d shipments (%v), want %d", c.order, len(got), err, c.want)
		}
	}
	sh, ok, err := s.Shipment(context.Background(), tn)
	if err != nil || !ok || sh.CustomerRef != "CUS-1" {
		t.Errorf("shipment %s: %+v %v %v", tn, sh.References, ok, err)
	}
}
