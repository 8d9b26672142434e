package exceptions_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/exceptions"
	"github.com/parcelcast/parcelcast/schemas"
)

// memStore is a store of exceptions in memory: a later row of an id
// replaces the earlier, as the table's ReplacingMergeTree does.
type memStore struct {
	mu   sync.Mutex
	rows map[string]schemas.Exception
	fail error
}

func (m *memStore) Exceptions(_ context.Context, since time.Time, fn func(schemas.Exception) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.rows {
		if e.State == schemas.ExceptionOpen || !e.ResolvedAt.Before(since) {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) WriteExceptions(_ context.Context, list []schemas.Exception) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if m.rows == nil {
		m.rows = map[string]schemas.Exception{}
	}
	for _, e := range list {
		m.rows[e.ID] = e
	}
	return nil
}

type memTopic struct {
	mu   sync.Mutex
	sent []schemas.Exception
}

func (m *memTopic) PublishExceptions(_ context.Context, list []schemas.Exception) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, list...)
	return nil
}

type memShipments []predict.Shipment

func (m memShipments) Each(fn func(predict.Shipment) bool) {
	for _, sh := range m {
		if !fn(sh) {
			return
		}
	}
}

func newScanner(t *testing.T, st *memStore, topic *memTopic, m *model.Model, now *time.Time, held memShipments) *exceptions.Scanner {
	t.Helper()
	s, err := exceptions.New(exceptions.Options{Store: st, Publisher: topic, Shipments: held,
		Model: func() *model.Model { return m }, Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func states(list []schemas.Exception) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Type+":"+string(e.State))
	}
	return out
}

func TestScannerOpensAndResolves(t *testing.T) {
	m := testModel(t)
	now := us(2026, 11, 19, 16)
	st, topic := &memStore{}, &memTopic{}
	s := newScanner(t, st, topic, m, &now, nil)
	stalled := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit})
	s.ShipmentChanged(stalled)
	s.ShipmentChanged(stalled) // the same change again: nothing new
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := states(topic.sent); len(got) != 1 || got[0] != "stalled:open" {
		t.Fatalf("published %v, want one stalled:open", got)
	}
	moved := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit},
		scan{at: us(2026, 11, 19, 17), status: schemas.StatusOutForDelivery})
	now = us(2026, 11, 19, 17)
	s.ShipmentChanged(moved)
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := states(topic.sent); len(got) != 2 || got[1] != "stalled:resolved" {
		t.Fatalf("published %v, want stalled:open then stalled:resolved", got)
	}
	open, resolved := topic.sent[0], topic.sent[1]
	if open.ID != resolved.ID || resolved.ResolvedAt == nil || !resolved.ResolvedAt.Equal(us(2026, 11, 19, 17)) {
		t.Errorf("resolved %+v: want the open's id %s and resolved at the new scan", resolved, open.ID)
	}
	if got := st.rows[open.ID].State; got != schemas.ExceptionResolved {
		t.Errorf("stored state %s, want resolved", got)
	}
	if got := s.ExceptionsOf(tn); len(got) != 1 || got[0].State != schemas.ExceptionResolved {
		t.Errorf("ExceptionsOf = %v, want the resolved stall", states(got))
	}
}

func TestScannerRestartMakesNoDuplicate(t *testing.T) {
	m := testModel(t)
	now := us(2026, 11, 19, 16)
	st := &memStore{}
	stalled := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit})
	resolvedLate := shipment(us(2026, 11, 18, 12), scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit},
		scan{at: us(2026, 11, 18, 18), status: schemas.StatusDelivered})
	first := &memTopic{}
	s := newScanner(t, st, first, m, &now, nil)
	s.ShipmentChanged(stalled)
	late := resolvedLate
	late.Scans, late.Timeline = late.Scans[:1], late.Timeline[:1]
	late.TrackingNumber = "1ZLATE"
	resolvedLate.TrackingNumber = "1ZLATE"
	s.ShipmentChanged(late)
	s.ShipmentChanged(resolvedLate)
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(first.sent) == 0 {
		t.Fatal("nothing published before the restart")
	}

	// A restart: a new scanner on the same table, the same shipments
	// replayed (the late one's scans out of order, in two changes).
	again := &memTopic{}
	s2 := newScanner(t, st, again, m, &now, memShipments{stalled, resolvedLate})
	s2.ShipmentChanged(stalled)
	s2.ShipmentChanged(late)
	s2.ShipmentChanged(resolvedLate)
	s2.Sweep(now)
	if err := s2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, e := range again.sent {
		// The late shipment reopens from its first scan alone only with
		// a new id; the stored resolved one is not reopened.
		for _, f := range first.sent {
			if f.ID == e.ID && f.State == e.State {
				t.Errorf("republished %s %s after a restart", e.Type, e.State)
			}
		}
	}
	if got := states(s2.ExceptionsOf(tn)); len(got) != 1 || got[0] != "stalled:open" {
		t.Errorf("after restart %v, want the one stall open", got)
	}
	// In id order, which is no order of the types.
	if got := states(s2.ExceptionsOf("1ZLATE")); len(got) != 2 || !slices.Contains(got, "late:resolved") || !slices.Contains(got, "stalled:resolved") {
		t.Errorf("after restart %v, want the late and the stall resolved", got)
	}
}

func TestIDDeterministic(t *testing.T) {
	at := us(2026, 11, 17, 18)
	base := exceptions.ID(tn, "ups", "", at, exceptions.Stalled, at)
	cases := map[string]struct {
		id   string
		same bool
	}{
		"same inputs":        {exceptions.ID(tn, "ups", "", at, exceptions.Stalled, at), true},
		"same second":        {exceptions.ID(tn, "ups", "", at.Add(300*time.Millisecond), exceptions.Stalled, at), true},
		"other type":         {exceptions.ID(tn, "ups", "", at, exceptions.Lost, at), false},
		"other opened at":    {exceptions.ID(tn, "ups", "", at, exceptions.Stalled, at.Add(time.Hour)), false},
		"other shipment":     {exceptions.ID(tn, "ups", "", at.Add(-time.Hour), exceptions.Stalled, at), false},
		"other shipment key": {exceptions.ID(tn, "ups", "K", at, exceptions.Stalled, at), false},
		"other number":       {exceptions.ID("1Z2", "ups", "", at, exceptions.Stalled, at), false},
	}
	for name, c := range cases {
		if (c.id == base) != c.same {
			t.Errorf("%s: id %s vs %s, same=%v", name, c.id, base, c.same)
		}
	}
}

func TestScannerSweepFindsStalls(t *testing.T) {
	now := us(2026, 11, 17, 20)
	st, topic := &memStore{}, &memTopic{}
	sh := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit})
	s := newScanner(t, st, topic, testModel(t), &now, memShipments{sh})
	s.ShipmentChanged(sh)
	s.Sweep(now)
	if got := s.ExceptionsOf(tn); len(got) != 0 {
		t.Fatalf("fresh shipment has %v", states(got))
	}
	now = us(2026, 11, 19, 16)
	s.Sweep(now)
	if got := states(s.ExceptionsOf(tn)); len(got) != 1 || got[0] != "stalled:open" {
		t.Fatalf("after two days %v, want stalled:open", got)
	}
}

func TestScannerRetriesAFailedWrite(t *testing.T) {
	now := us(2026, 11, 19, 16)
	st, topic := &memStore{fail: errors.New("down")}, &memTopic{}
	s := newScanner(t, st, topic, testModel(t), &now, nil)
	s.ShipmentChanged(shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}))
	if err := s.Flush(context.Background()); err == nil {
		t.Fatal("Flush with the store down returned no error")
	}
	if len(topic.sent) != 0 {
		t.Fatal("published before stored")
	}
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	if err := s.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(topic.sent) != 1 || len(st.rows) != 1 {
		t.Fatalf("after the store is back: %d published, %d stored, want 1 and 1", len(topic.sent), len(st.rows))
	}
}

func TestScannerRun(t *testing.T) {
	now := us(2026, 11, 19, 16)
	st, topic := &memStore{}, &memTopic{}
	s := newScanner(t, st, topic, testModel(t), &now, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	s.ShipmentChanged(shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}))
	deadline := time.Now().Add(10 * time.Second)
	for {
		topic.mu.Lock()
		n := len(topic.sent)
		topic.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not publish the exception within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestScannerMetrics(t *testing.T) {
	now := us(2026, 11, 19, 16)
	reg := prometheus.NewRegistry()
	s, err := exceptions.New(exceptions.Options{Registerer: reg, Model: func() *model.Model { return testModel(t) },
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s.ShipmentChanged(shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit}))
	if got := testutil.ToFloat64(mustGauge(t, reg, "parcelcast_exceptions_open")); got != 1 {
		t.Errorf("open gauge %v, want 1", got)
	}
	s.ShipmentChanged(shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit},
		scan{at: us(2026, 11, 19, 15), status: schemas.StatusInTransit}))
	if got := testutil.ToFloat64(mustGauge(t, reg, "parcelcast_exceptions_open")); got != 0 {
		t.Errorf("open gauge %v after the resolve, want 0", got)
	}
	if got := testutil.ToFloat64(mustGauge(t, reg, "parcelcast_exceptions_resolved_total")); got != 1 {
		t.Errorf("resolved counter %v, want 1", got)
	}
}

// mustGauge is the collector of one metric of the registry, summed.
func mustGauge(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "sum"})
	g.Set(sum)
	return g
}

func TestListExceptions(t *testing.T) {
	now := us(2026, 11, 19, 16)
	s := newScanner(t, &memStore{}, &memTopic{}, testModel(t), &now, nil)
	for i, n := range []string{"1ZA", "1ZB", "1ZC", "1ZD", "1ZE"} {
		sh := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit})
		sh.TrackingNumber = n
		if i%2 == 1 {
			sh.Carrier = "fedex"
		}
		s.ShipmentChanged(sh)
	}
	resolved := shipment(time.Time{}, scan{at: us(2026, 11, 17, 18), status: schemas.StatusInTransit},
		scan{at: us(2026, 11, 19, 15), status: schemas.StatusInTransit})
	resolved.TrackingNumber = "1ZE"
	s.ShipmentChanged(resolved)
	cases := map[string]struct {
		q    predict.ExceptionQuery
		want int
	}{
		"every one":      {q: predict.ExceptionQuery{}, want: 5},
		"open":           {q: predict.ExceptionQuery{State: schemas.ExceptionOpen}, want: 4},
		"resolved":       {q: predict.ExceptionQuery{State: schemas.ExceptionResolved}, want: 1},
		"by carrier":     {q: predict.ExceptionQuery{Carrier: "fedex"}, want: 2},
		"by type":        {q: predict.ExceptionQuery{Type: exceptions.Stalled}, want: 5},
		"no such type":   {q: predict.ExceptionQuery{Type: exceptions.Late}, want: 0},
		"pages of two":   {q: predict.ExceptionQuery{Limit: 2}, want: 5},
		"pages of seven": {q: predict.ExceptionQuery{Limit: 7}, want: 5},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			q := c.q
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				list, next := s.ListExceptions(q)
				if q.Limit > 0 && len(list) > q.Limit {
					t.Fatalf("page of %d, limit %d", len(list), q.Limit)
				}
				for _, e := range list {
					if seen[e.ID] {
						t.Fatalf("%s on two pages", e.ID)
					}
					seen[e.ID] = true
				}
				if next == "" {
					break
				}
				q.After = next
			}
			if len(seen) != c.want {
				t.Errorf("%d exceptions, want %d", len(seen), c.want)
			}
		})
	}
}

// A sweep's copy of a shipment taken before a newer change does not undo
// what the change opened.
func TestScannerIgnoresStaleCopies(t *testing.T) {
	now := us(2026, 11, 24, 20)
	s := newScanner(t, &memStore{}, &memTopic{}, testModel(t), &now, nil)
	before := shipment(time.Time{}, scan{at: us(2026, 11, 24, 9), status: schemas.StatusInTransit})
	after := shipment(time.Time{}, scan{at: us(2026, 11, 24, 9), status: schemas.StatusInTransit},
		scan{at: us(2026, 11, 24, 18), status: schemas.StatusException, detail: "customs"})
	s.ShipmentChanged(after)
	s.Sweep(now) // no shipments held: nothing
	stale := memShipments{before}
	s.Attach(stale, nil)
	s.Sweep(now)
	if got := states(s.ExceptionsOf(tn)); len(got) != 1 || got[0] != "customs_hold:open" {
		t.Errorf("after a stale sweep %v, want customs_hold:open", got)
	}
}
