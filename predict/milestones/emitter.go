package milestones

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// Publisher publishes milestones (the Kafka topic of milestones). On
// error some may have been published, and they are published again.
type Publisher interface {
	PublishMilestones(ctx context.Context, ms []schemas.Milestone) error
}

// Recorder records what was published (the milestones table) and reads
// it back at start: Published calls fn with every milestone detected
// since the given instant.
type Recorder interface {
	RecordMilestones(ctx context.Context, ms []schemas.Milestone) error
	PublishedMilestones(ctx context.Context, since time.Time, fn func(schemas.Milestone) error) error
}

// Walker walks every shipment held (the live state's Each).
type Walker interface {
	Each(fn func(predict.Shipment) bool)
}

// Options configure an Emitter. Publisher and Recorder are required.
type Options struct {
	Publisher Publisher
	Recorder  Recorder
	// Shipments looks up the numbers of dropped changes again (nil: they
	// wait for the next change or sweep).
	Shipments predict.Shipments
	// Walker, when set, is swept every SweepInterval.
	Walker Walker
	// Zero fields take the defaults of defaults.go.
	QueueSize       int
	Batch           int
	RecheckInterval time.Duration
	SweepInterval   time.Duration
	Horizon         time.Duration
	LookupTimeout   time.Duration
	Registerer      prometheus.Registerer
	Log             *slog.Logger
	Now             func() time.Time
}

func (o *Options) defaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.RecheckInterval, DefaultRecheckInterval)
	def(&o.SweepInterval, DefaultSweepInterval)
	def(&o.Horizon, DefaultHorizon)
	def(&o.LookupTimeout, DefaultLookupTimeout)
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Emitter publishes each shipment's milestones once. ShipmentChanged, the
// live state's hook, only queues; Run does the work in one goroutine, so
// what it remembers needs no lock. A milestone is published first and
// recorded after (at least once: a crash between the two publishes it
// again after the restart, under the same id, and consumers dedupe by id).
type Emitter struct {
	opts  Options
	queue chan predict.Shipment
	m     *metrics
	// backlog counts the changes queued and not yet looked at.
	backlog atomic.Int64

	mu      sync.Mutex
	dropped map[string]struct{} // numbers of changes dropped on a full queue

	// Owned by Run.
	known      map[numberKey][]*shipmentState
	unrecorded []schemas.Milestone
}

// numberKey is a tracking number of a carrier, with the carrier's
// shipment key.
type numberKey struct{ carrier, number, key string }

// shipmentState is one shipment of a number: the first scan it was known
// from (its ids' start) and the kinds published.
type shipmentState struct {
	start time.Time
	kinds uint16
	seen  time.Time // the last change looked at, for the horizon
}

// New returns an emitter; Run starts it.
func New(opts Options) (*Emitter, error) {
	if opts.Publisher == nil || opts.Recorder == nil {
		return nil, fmt.Errorf("milestones: a publisher and a recorder are required")
	}
	opts.defaults()
	e := &Emitter{opts: opts, queue: make(chan predict.Shipment, opts.QueueSize),
		dropped: map[string]struct{}{}, known: map[numberKey][]*shipmentState{}}
	e.m = newMetrics(func() float64 { return float64(e.backlog.Load()) })
	if opts.Registerer != nil {
		if err := e.m.register(opts.Registerer); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// ShipmentChanged queues a changed shipment without blocking: on a full
// queue the change is dropped, counted, and its number looked at again on
// the next re-check.
func (e *Emitter) ShipmentChanged(sh predict.Shipment) {
	e.backlog.Add(1)
	select {
	case e.queue <- sh:
	default:
		e.backlog.Add(-1)
		e.m.drops.Inc()
		e.mu.Lock()
		e.dropped[sh.TrackingNumber] = struct{}{}
		e.mu.Unlock()
	}
}

// Backlog returns how many changes are queued or being looked at, and
// how many numbers of dropped changes wait for the re-check.
func (e *Emitter) Backlog() (queued, dropped int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return int(e.backlog.Load()), len(e.dropped)
}

// Run reads back what was published, then publishes the milestones of
// queued shipments until ctx ends, re-checking dropped numbers and
// sweeping every held shipment on schedule.
func (e *Emitter) Run(ctx context.Context) error {
	if err := e.bootstrap(ctx); err != nil {
		return err
	}
	recheck := time.NewTicker(e.opts.RecheckInterval)
	defer recheck.Stop()
	sweep := time.NewTicker(e.opts.SweepInterval)
	defer sweep.Stop()
	batch := make([]predict.Shipment, 0, e.opts.Batch)
	for {
		select {
		case <-ctx.Done():
			return nil
		case sh := <-e.queue:
			batch = append(batch[:0], sh)
		drain:
			for len(batch) < e.opts.Batch {
				select {
				case sh := <-e.queue:
					batch = append(batch, sh)
				default:
					break drain
				}
			}
			e.process(ctx, batch)
			e.backlog.Add(-int64(len(batch)))
		case <-recheck.C:
			e.recheck(ctx)
			e.record(ctx, nil, false)
		case <-sweep.C:
			if e.opts.Walker != nil {
				e.sweep(ctx)
			}
			e.forget()
		}
	}
}

// bootstrap reads the milestones published within the horizon, retrying
// until the table answers or ctx ends.
func (e *Emitter) bootstrap(ctx context.Context) error {
	wait := retryFirst
	for {
		n := 0
		since := e.opts.Now().Add(-e.opts.Horizon)
		err := e.opts.Recorder.PublishedMilestones(ctx, since, func(m schemas.Milestone) error {
			n++
			st := e.state(numberKey{m.Carrier, m.TrackingNumber, m.ShipmentKey}, m.ShipmentStart)
			st.kinds |= kindBit(m.Kind)
			if m.DetectedAt.After(st.seen) {
				st.seen = m.DetectedAt
			}
			return nil
		})
		if err == nil {
			e.opts.Log.Info("milestones read back", "milestones", n, "numbers", len(e.known))
			return nil
		}
		e.known = map[numberKey][]*shipmentState{}
		e.opts.Log.Error("reading back the published milestones failed; retrying", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, retryMax)
	}
}

// state returns the remembered shipment of the number that starts at
// start exactly, adding it if there is none.
func (e *Emitter) state(k numberKey, start time.Time) *shipmentState {
	for _, st := range e.known[k] {
		if st.start.Equal(start) {
			return st
		}
	}
	st := &shipmentState{start: start}
	e.known[k] = append(e.known[k], st)
	return st
}

// find returns the remembered shipment a journey from first to last is:
// the earliest whose start lies within the journey (a scan older than
// the first one known, arriving late, does not make a new shipment), or
// a new one starting at first (a reused number's new journey starts after
// the old one ended).
func (e *Emitter) find(k numberKey, first, last time.Time) *shipmentState {
	var best *shipmentState
	for _, st := range e.known[k] {
		if !st.start.Before(first) && !st.start.After(last) && (best == nil || st.start.Before(best.start)) {
			best = st
		}
	}
	if best != nil {
		return best
	}
	return e.state(k, first)
}

// fresh returns the milestones of sh not yet published and marks them
// published.
func (e *Emitter) fresh(sh predict.Shipment, now time.Time) []schemas.Milestone {
	if len(sh.Scans) == 0 {
		return nil
	}
	reached := Detect(sh)
	first, last := Start(sh), sh.Scans[0].Time
	for _, sc := range sh.Scans {
		if sc.Time.After(last) {
			last = sc.Time
		}
	}
	st := e.find(numberKey{sh.Carrier, sh.TrackingNumber, sh.ShipmentKey}, first, last)
	st.seen = now
	var out []schemas.Milestone
	for _, r := range reached {
		bit := kindBit(r.Kind)
		if st.kinds&bit != 0 {
			continue
		}
		st.kinds |= bit
		out = append(out, schemas.Milestone{
			ID:   ID(sh.Carrier, sh.TrackingNumber, sh.ShipmentKey, st.start, r.Kind),
			Kind: r.Kind, TrackingNumber: sh.TrackingNumber, Carrier: sh.Carrier, ShipmentKey: sh.ShipmentKey,
			ShipmentStart: st.start, At: r.At, Location: r.Location,
			OrderRef: sh.OrderRef, CustomerRef: sh.CustomerRef, DetectedAt: now,
		})
	}
	return out
}

// process publishes the new milestones of shipments, then records them.
func (e *Emitter) process(ctx context.Context, shipments []predict.Shipment) {
	now := e.opts.Now().UTC()
	var out []schemas.Milestone
	var updated []time.Time
	for _, sh := range shipments {
		ms := e.fresh(sh, now)
		out = append(out, ms...)
		if len(ms) > 0 && !sh.UpdatedAt.IsZero() {
			updated = append(updated, sh.UpdatedAt)
		}
	}
	if len(out) == 0 {
		return
	}
	if !e.publish(ctx, out) {
		return
	}
	done := e.opts.Now()
	for _, t := range updated {
		e.m.latency.Observe(done.Sub(t).Seconds())
	}
	for _, m := range out {
		e.m.published.WithLabelValues(string(m.Kind), m.Carrier).Inc()
	}
	e.record(ctx, out, true)
}

// publish retries until the milestones are published or ctx ends (then
// they are lost to this process, and published after the restart: the
// live state replays the topic's recent scans, and the sweep looks at
// every shipment).
func (e *Emitter) publish(ctx context.Context, ms []schemas.Milestone) bool {
	wait := retryFirst
	for {
		err := e.opts.Publisher.PublishMilestones(ctx, ms)
		if err == nil {
			return true
		}
		e.m.publishErrors.Inc()
		if ctx.Err() != nil {
			return false
		}
		e.opts.Log.Error("publishing milestones failed; retrying", "milestones", len(ms), "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, retryMax)
	}
}

// record writes ms and what earlier attempts left unrecorded to the
// table, once; what fails waits for the next re-check. Only a first
// attempt logs, so a table that is down logs once per batch published.
func (e *Emitter) record(ctx context.Context, ms []schemas.Milestone, logFailure bool) {
	all := append(e.unrecorded, ms...)
	if len(all) == 0 {
		return
	}
	if err := e.opts.Recorder.RecordMilestones(ctx, all); err != nil {
		e.m.recordErrors.Inc()
		if logFailure {
			e.opts.Log.Error("recording published milestones failed; retrying on the next re-check", "milestones", len(all), "err", err)
		}
		e.unrecorded = all
		return
	}
	e.unrecorded = nil
}

// recheck looks up the numbers of dropped changes again.
func (e *Emitter) recheck(ctx context.Context) {
	e.mu.Lock()
	numbers := e.dropped
	e.dropped = map[string]struct{}{}
	e.mu.Unlock()
	if len(numbers) == 0 {
		return
	}
	if e.opts.Shipments == nil {
		return // the next change or sweep looks at them
	}
	batch := make([]predict.Shipment, 0, e.opts.Batch)
	for n := range numbers {
		lctx, cancel := context.WithTimeout(ctx, e.opts.LookupTimeout)
		sh, ok, err := e.opts.Shipments.Shipment(lctx, n)
		cancel()
		if err != nil {
			e.mu.Lock() // looked at again on the next re-check
			e.dropped[n] = struct{}{}
			e.mu.Unlock()
			continue
		}
		if !ok {
			continue
		}
		if batch = append(batch, sh); len(batch) == cap(batch) {
			e.process(ctx, batch)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		e.process(ctx, batch)
	}
}

// sweep looks at every held shipment.
func (e *Emitter) sweep(ctx context.Context) {
	batch := make([]predict.Shipment, 0, e.opts.Batch)
	e.opts.Walker.Each(func(sh predict.Shipment) bool {
		if batch = append(batch, sh); len(batch) == cap(batch) {
			e.process(ctx, batch)
			batch = batch[:0]
		}
		return ctx.Err() == nil
	})
	if len(batch) > 0 && ctx.Err() == nil {
		e.process(ctx, batch)
	}
}

// forget drops the shipments not changed within the horizon: the live
// state holds none of them any more.
func (e *Emitter) forget() {
	cut := e.opts.Now().Add(-e.opts.Horizon)
	for k, sts := range e.known {
		kept := sts[:0]
		for _, st := range sts {
			if !st.seen.Before(cut) {
				kept = append(kept, st)
			}
		}
		if len(kept) == 0 {
			delete(e.known, k)
		} else {
			e.known[k] = kept
		}
	}
}
