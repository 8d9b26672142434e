package exceptions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// Shipments walks every shipment held (the live state).
type Shipments interface {
	Each(fn func(predict.Shipment) bool)
}

// Store keeps exceptions: a later row of an id replaces the earlier.
type Store interface {
	// Exceptions calls fn for the latest row of every exception open, or
	// resolved at or after since.
	Exceptions(ctx context.Context, since time.Time, fn func(schemas.Exception) error) error
	WriteExceptions(ctx context.Context, list []schemas.Exception) error
}

// Publisher publishes exceptions as they open and resolve.
type Publisher interface {
	PublishExceptions(ctx context.Context, list []schemas.Exception) error
}

// Options configure a Scanner.
type Options struct {
	Config    Config
	Shipments Shipments
	Store     Store
	Publisher Publisher
	// Model is the served model (its dwell statistics and ETAs); it may
	// return nil.
	Model func() *model.Model
	Now   func() time.Time
	// Interval is how often Run re-evaluates every shipment;
	// KeepResolved how long resolved exceptions stay in memory.
	Interval, KeepResolved time.Duration
	Registerer             prometheus.Registerer
	Log                    *slog.Logger
}

// Scanner keeps every shipment's exceptions in memory: ShipmentChanged
// evaluates a shipment on each change, Run every shipment on a schedule,
// and Run stores and publishes what opened and resolved.
type Scanner struct {
	opts Options
	m    *metrics

	mu  sync.Mutex
	by  map[string][]schemas.Exception // tracking number → its exceptions, oldest first
	ids map[string]bool                // every id held
	// newest is, for each number held, the shipment and scan count last
	// evaluated: a sweep's copy taken before a newer change is stale.
	newest  map[string]evaluated
	pending []schemas.Exception // changes not yet stored and published
	wake    chan struct{}
}

// New returns a scanner; call Load before the live state runs.
func New(opts Options) (*Scanner, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Model == nil {
		opts.Model = func() *model.Model { return nil }
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.KeepResolved <= 0 {
		opts.KeepResolved = DefaultKeepResolved
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	opts.Config = opts.Config.withDefaults()
	s := &Scanner{opts: opts, m: newMetrics(), by: map[string][]schemas.Exception{}, ids: map[string]bool{},
		newest: map[string]evaluated{}, wake: make(chan struct{}, 1)}
	if opts.Registerer != nil {
		if err := s.m.register(opts.Registerer); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Attach gives the scanner the shipments it sweeps and the served model,
// where they are made after it (the live state tells the scanner of
// changes; the server serves the model). Call it before Run and before
// the first ShipmentChanged.
func (s *Scanner) Attach(held Shipments, served func() *model.Model) {
	s.opts.Shipments = held
	if served != nil {
		s.opts.Model = served
	}
}

// Load reads the exceptions stored (open, or resolved lately), so a
// restart neither reopens nor publishes again what it had found.
func (s *Scanner) Load(ctx context.Context) error {
	if s.opts.Store == nil {
		return nil
	}
	since := s.opts.Now().Add(-s.opts.KeepResolved)
	n := 0
	err := s.opts.Store.Exceptions(ctx, since, func(e schemas.Exception) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.ids[e.ID] {
			s.replace(e)
			return nil
		}
		s.ids[e.ID] = true
		s.by[e.TrackingNumber] = append(s.by[e.TrackingNumber], e)
		if e.State == schemas.ExceptionOpen {
			s.m.open.WithLabelValues(e.Type, e.Carrier).Inc()
		}
		n++
		return nil
	})
	if err != nil {
		return fmt.Errorf("load exceptions: %w", err)
	}
	s.mu.Lock()
	for _, list := range s.by {
		sortByOpened(list)
	}
	s.mu.Unlock()
	s.opts.Log.Info("exceptions loaded", "count", n)
	return nil
}

// replace puts a later row of a held exception in place (a store may
// return both the open and the resolved row of one id).
func (s *Scanner) replace(e schemas.Exception) {
	list := s.by[e.TrackingNumber]
	for i := range list {
		if list[i].ID == e.ID {
			if list[i].State == schemas.ExceptionOpen && e.State == schemas.ExceptionResolved {
				s.m.open.WithLabelValues(e.Type, e.Carrier).Dec()
				list[i] = e
			}
			return
		}
	}
}

// ShipmentChanged evaluates a shipment after a change of it (the live
// state's observer).
func (s *Scanner) ShipmentChanged(sh predict.Shipment) { s.evaluate(&sh, s.opts.Now(), true) }

// evaluate opens what the shipment has and held not, and resolves what it
// held and has no more. Without eta, the ETA is not asked for and an open
// late stays as it is (the ETA changes only with a scan or a model).
func (s *Scanner) evaluate(sh *predict.Shipment, now time.Time, eta bool) {
	if len(sh.Scans) == 0 {
		return
	}
	in := Inputs{Model: s.opts.Model(), Now: now, SkipETA: !eta}
	found := s.opts.Config.Detect(sh, in)
	start := sh.Scans[0].Time.Truncate(time.Second).UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	this := evaluated{start: start, scans: len(sh.Scans)}
	if last, ok := s.newest[sh.TrackingNumber]; ok && last.start.Equal(start) && last.scans > this.scans {
		return // a copy older than the one evaluated last
	}
	list := s.by[sh.TrackingNumber]
	if list != nil {
		s.newest[sh.TrackingNumber] = this
	}
	var changes []schemas.Exception
	held := map[string]bool{}
	for i := range list {
		e := &list[i]
		if e.State != schemas.ExceptionOpen || !sameShipment(e, sh, start) {
			continue
		}
		held[e.Type] = true
		if has(found, e.Type) || (!eta && e.Type == Late && !done(sh)) {
			continue
		}
		at := resolvedAt(sh, e, now)
		e.State, e.ResolvedAt = schemas.ExceptionResolved, &at
		changes = append(changes, *e)
		s.m.resolved(e)
	}
	for _, f := range found {
		if held[f.Type] {
			continue
		}
		opened := f.OpenedAt.Truncate(time.Second).UTC()
		id := ID(sh.TrackingNumber, sh.Carrier, sh.ShipmentKey, start, f.Type, opened)
		if s.ids[id] {
			continue // resolved already: a replay does not reopen it
		}
		e := schemas.Exception{ID: id, Type: f.Type, State: schemas.ExceptionOpen, TrackingNumber: sh.TrackingNumber,
			Carrier: sh.Carrier, ShipmentKey: sh.ShipmentKey, ShipmentStart: start, Reason: f.Reason, Detail: f.Detail,
			OpenedAt: opened, OrderRef: sh.OrderRef, CustomerRef: sh.CustomerRef}
		s.ids[id] = true
		list = append(list, e)
		changes = append(changes, e)
		s.m.opened(&e)
	}
	if len(changes) == 0 {
		return
	}
	sortByOpened(list)
	s.by[sh.TrackingNumber] = list
	s.newest[sh.TrackingNumber] = this
	s.pending = append(s.pending, changes...)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// evaluated is the shipment (its first scan) and how many of its scans an
// evaluation saw.
type evaluated struct {
	start time.Time
	scans int
}

func sameShipment(e *schemas.Exception, sh *predict.Shipment, start time.Time) bool {
	return e.Carrier == sh.Carrier && e.ShipmentKey == sh.ShipmentKey && e.ShipmentStart.Equal(start)
}

func has(fs []Finding, typ string) bool {
	for _, f := range fs {
		if f.Type == typ {
			return true
		}
	}
	return false
}

func done(sh *predict.Shipment) bool {
	for _, sc := range sh.Scans {
		if sc.Status.Terminal() {
			return true
		}
	}
	return false
}

// resolvedAt is the newest scan when it came after the exception opened
// (the scan that resolved it), else now.
func resolvedAt(sh *predict.Shipment, e *schemas.Exception, now time.Time) time.Time {
	if last := sh.Scans[len(sh.Scans)-1].Time; last.After(e.OpenedAt) {
		return last.Truncate(time.Second).UTC()
	}
	return now.Truncate(time.Second).UTC()
}

func sortByOpened(list []schemas.Exception) {
	sort.SliceStable(list, func(a, b int) bool { return list[a].OpenedAt.Before(list[b].OpenedAt) })
}

// Run re-evaluates every shipment each interval and stores then publishes
// the changes as they come, until ctx ends; a failed write is retried.
func (s *Scanner) Run(ctx context.Context) error {
	tick := time.NewTicker(s.opts.Interval)
	defer tick.Stop()
	backoff := time.Duration(0)
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return s.drain()
		case <-tick.C:
			s.Sweep(s.opts.Now())
		case <-s.wake:
		case <-retry:
		}
		retry = nil
		if err := s.Flush(ctx); err != nil {
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 10*time.Second)
			s.opts.Log.Error("exceptions not written, retrying", "err", err, "in", backoff)
			retry = time.After(backoff)
			continue
		}
		backoff = 0
	}
}

// drain writes what is pending when Run stops, within drainTimeout: what
// is left is found again after a restart (the live state replays it).
func (s *Scanner) drain() error {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		s.opts.Log.Warn("exceptions not written at stop", "err", err)
	}
	return nil
}

const drainTimeout = 5 * time.Second

// Sweep re-evaluates every held shipment at now (a stall or a passed
// promise comes without a scan) and forgets shipments whose exceptions
// all resolved long ago.
func (s *Scanner) Sweep(now time.Time) {
	if s.opts.Shipments != nil {
		s.opts.Shipments.Each(func(sh predict.Shipment) bool {
			s.evaluate(&sh, now, false)
			return true
		})
	}
	old := now.Add(-s.opts.KeepResolved)
	s.mu.Lock()
	defer s.mu.Unlock()
	for tn, list := range s.by {
		if allResolvedBefore(list, old) {
			for _, e := range list {
				delete(s.ids, e.ID)
			}
			delete(s.by, tn)
			delete(s.newest, tn)
		}
	}
}

func allResolvedBefore(list []schemas.Exception, t time.Time) bool {
	for _, e := range list {
		if e.State == schemas.ExceptionOpen || e.ResolvedAt == nil || !e.ResolvedAt.Before(t) {
			return false
		}
	}
	return true
}

// Flush stores then publishes the changes not yet written; on error they
// stay pending, in order, for the next flush.
func (s *Scanner) Flush(ctx context.Context) error {
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := s.write(ctx, batch)
	if err != nil {
		s.mu.Lock()
		s.pending = append(batch, s.pending...)
		s.mu.Unlock()
	}
	return err
}

func (s *Scanner) write(ctx context.Context, batch []schemas.Exception) error {
	if s.opts.Store != nil {
		if err := s.opts.Store.WriteExceptions(ctx, batch); err != nil {
			return fmt.Errorf("store %d exceptions: %w", len(batch), err)
		}
	}
	if s.opts.Publisher != nil {
		if err := s.opts.Publisher.PublishExceptions(ctx, batch); err != nil {
			return fmt.Errorf("publish %d exceptions: %w", len(batch), err)
		}
	}
	return nil
}

// ExceptionsOf returns the exceptions held under a tracking number,
// oldest first.
func (s *Scanner) ExceptionsOf(trackingNumber string) []schemas.Exception {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]schemas.Exception(nil), s.by[trackingNumber]...)
}

// ListExceptions returns a page of the exceptions held matching q, in id
// order; the cursor is the last id of the page.
func (s *Scanner) ListExceptions(q predict.ExceptionQuery) ([]schemas.Exception, string) {
	s.mu.Lock()
	var all []schemas.Exception
	for _, list := range s.by {
		for i := range list {
			if q.Matches(&list[i]) && list[i].ID > q.After {
				all = append(all, list[i])
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(a, b int) bool { return all[a].ID < all[b].ID })
	if q.Limit <= 0 || len(all) <= q.Limit {
		return all, ""
	}
	return all[:q.Limit], all[q.Limit-1].ID
}
