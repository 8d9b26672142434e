// Package live holds the live state of the shipments in flight and of
// those recently delivered, in memory: bootstrapped from the database at
// start, kept current from the normalized topic, and answering
// predict.Shipments and predict.Orders without a query. A number it does
// not hold is looked up in the database under a deadline.
package live

import (
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// Options configure a Store. Zero durations and sizes take the Default
// values.
type Options struct {
	// Retention is how long a delivered, returned or cancelled shipment is
	// kept after its last scan; MaxSilence how long any shipment is kept
	// after its last scan.
	Retention, MaxSilence time.Duration
	// AgeOutInterval is how often Run ages shipments out.
	AgeOutInterval time.Duration
	// Bootstrap reads the recent scans at start (nil: start empty).
	Bootstrap RecentScans
	// References are the references set through the API, applied after
	// the bootstrap's scans (nil: the feed's alone).
	References StoredReferences
	// Lookup finds a number the store does not hold (nil: no fallback).
	Lookup ScanLookup
	// LookupTimeout bounds each fallback lookup.
	LookupTimeout time.Duration
	// NotFoundSize and NotFoundTTL bound the cache of numbers the lookup
	// did not find, which are not asked for again until they expire.
	NotFoundSize int
	NotFoundTTL  time.Duration
	// Stream is the topic of normalized events Run follows (nil: none).
	Stream Stream
	// StreamLead is how long before the bootstrap the stream starts.
	StreamLead time.Duration
	// Ownership names the partitions of the topic whose numbers this
	// replica holds; the zero value holds every number.
	Ownership Ownership
	// OnChange is called after an event from the stream, Apply or a
	// fallback lookup changed a shipment, with the shipment as it now is,
	// outside the store's locks. The bootstrap does not call it.
	OnChange func(predict.Shipment)
	// Registerer receives the store's metrics (nil: none are registered).
	Registerer prometheus.Registerer
	Log        *slog.Logger
	Now        func() time.Time
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Retention, DefaultRetention)
	def(&o.MaxSilence, DefaultMaxSilence)
	def(&o.AgeOutInterval, DefaultAgeOutInterval)
	def(&o.LookupTimeout, DefaultLookupTimeout)
	def(&o.NotFoundTTL, DefaultNotFoundTTL)
	def(&o.StreamLead, DefaultStreamLead)
	if o.NotFoundSize <= 0 {
		o.NotFoundSize = DefaultNotFoundSize
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Store is the live state. Its methods are safe for concurrent use.
type Store struct {
	opts    Options
	in      *interns
	seed    maphash.Seed
	shards  [shardCount]shard
	refs    refIndex
	m       *metrics
	records atomic.Int64
	scans   atomic.Int64

	notFound *lru.Cache[string, time.Time] // number → when it expires
	lookups  singleflight.Group

	bootstrapped, caughtUp atomic.Bool
}

type shard struct {
	mu sync.RWMutex
	m  map[string]*record
}

// New returns an empty store; Run bootstraps and follows it.
func New(opts Options) (*Store, error) {
	opts.defaults()
	if err := opts.Ownership.check(); err != nil {
		return nil, err
	}
	s := &Store{opts: opts, in: newInterns(), seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = map[string]*record{}
	}
	s.refs.init()
	// The plain LRU, with each entry's expiry as its value: the expirable
	// one runs a goroutine that cannot be stopped.
	var err error
	if s.notFound, err = lru.New[string, time.Time](opts.NotFoundSize); err != nil {
		return nil, fmt.Errorf("not-found cache: %w", err)
	}
	s.m = newMetrics(s)
	if opts.Registerer != nil {
		if err := s.m.register(opts.Registerer); err != nil {
			return nil, err
		}
	}
	if opts.Bootstrap == nil {
		s.bootstrapped.Store(true)
	}
	if opts.Stream == nil {
		s.caughtUp.Store(true)
	}
	return s, nil
}

func (s *Store) shard(number string) *shard {
	return &s.shards[maphash.String(s.seed, number)%shardCount]
}

// Owns reports whether the store holds the number's shipments.
func (s *Store) Owns(trackingNumber string) bool { return s.opts.Ownership.Owns(trackingNumber) }

// Apply adds events to the state: a scan already held (by event id) is
// skipped, a late one is sorted in, and events of numbers the store does
// not own are ignored. It calls OnChange for each shipment changed.
func (s *Store) Apply(events []schemas.ScanEvent) { s.apply(events, s.opts.OnChange != nil) }

// apply is Apply, telling OnChange only when notify.
func (s *Store) apply(events []schemas.ScanEvent, notify bool) {
	var changed map[string]bool
	for i := range events {
		e := &events[i]
		if !valid(e) || !s.Owns(e.TrackingNumber) {
			s.m.skipped.Inc()
			continue
		}
		if s.applyOne(e) {
			s.m.applied.Inc()
			if notify {
				if changed == nil {
					changed = map[string]bool{}
				}
				changed[e.TrackingNumber] = true
			}
		} else {
			s.m.duplicates.Inc()
		}
	}
	for number := range changed {
		if sh, ok := s.held(number); ok {
			s.opts.OnChange(sh)
		}
	}
}

// valid reports whether an event can be held: a number, and a time that
// fits the scan record.
func valid(e *schemas.ScanEvent) bool {
	t := e.EventTime.Unix()
	return e.TrackingNumber != "" && e.Carrier != "" && t > 0 && t < 1<<32
}

// applyOne adds one event; it reports whether the state changed.
func (s *Store) applyOne(e *schemas.ScanEvent) bool {
	sc, isHex := s.in.compactScan(e)
	owner := s.in.owners.id(ownerKey{e.Carrier, e.ShipmentKey})
	sh := s.shard(e.TrackingNumber)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	r := sh.m[e.TrackingNumber]
	if r == nil {
		r = &record{number: strings.Clone(e.TrackingNumber), group: group{owner: owner}}
		sh.m[r.number] = r
		s.records.Add(1)
	}
	g := r.find(owner)
	if !isHex {
		if r.ex == nil {
			r.ex = &extra{}
		}
		sc.rawID = uint32(len(r.ex.ids) + 1)
	}
	if !s.in.insert(g, sc) {
		return false
	}
	if !isHex {
		r.ex.ids = append(r.ex.ids, strings.Clone(e.EventID))
	}
	s.scans.Add(1)
	if at := e.Source.IngestedAt.Unix(); at > 0 && at < 1<<32 {
		r.updated = max(r.updated, uint32(at))
	}
	s.feedRefs(r, e, sc.time)
	return true
}

// find returns the record's group of owner, adding it.
func (r *record) find(owner uint32) *group {
	var found *group
	r.groups(func(g *group) bool {
		if g.owner == owner {
			found = g
			return false
		}
		return true
	})
	if found != nil {
		return found
	}
	if r.ex == nil {
		r.ex = &extra{}
	}
	r.ex.more = append(r.ex.more, group{owner: owner})
	return &r.ex.more[len(r.ex.more)-1]
}

// held returns the number's latest shipment from memory.
func (s *Store) held(number string) (predict.Shipment, bool) {
	sh := s.shard(number)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	r := sh.m[number]
	if r == nil {
		return predict.Shipment{}, false
	}
	return s.in.shipment(r)
}

// Len returns the numbers and the scans held.
func (s *Store) Len() (numbers, scans int) { return int(s.records.Load()), int(s.scans.Load()) }

// Errors Ready returns before the store is ready.
var (
	ErrBootstrapping = errors.New("live state: bootstrap from the database not done")
	ErrCatchingUp    = errors.New("live state: the topic of normalized events not caught up")
)

// Ready returns nil once the bootstrap is done and the stream caught up
// with the end of the topic as it was when it started.
func (s *Store) Ready() error {
	if !s.bootstrapped.Load() {
		return ErrBootstrapping
	}
	if !s.caughtUp.Load() {
		return ErrCatchingUp
	}
	return nil
}

var (
	_ predict.Shipments = (*Store)(nil)
	_ predict.Orders    = (*Store)(nil)
)
