// Package modeltest provides transit history for model tests and
// benchmarks without ClickHouse: simulated journeys held in memory, or
// generated again on every pass so memory does not grow with their number.
package modeltest

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/model"
)

// Journey converts a simulated shipment to the journey ClickHouse would
// give the trainer; false when it has no scans.
func Journey(s *sim.Shipment) (model.Journey, bool) {
	j := model.Journey{TrackingNumber: s.TrackingNumber, Carrier: s.Carrier, Service: s.Service}
	for _, e := range s.Scans {
		j.Origin, j.Destination = e.Origin, e.Destination
		if e.PromisedDelivery != nil {
			j.Promised = *e.PromisedDelivery
		}
		j.Scans = append(j.Scans, model.Scan{Time: e.EventTime, Status: e.Status, OffsetMinutes: e.UTCOffsetMinutes})
	}
	j.Sort()
	return j, len(j.Scans) > 0
}

// Mem is transit history held in memory, with the same split and slice
// rules as the ClickHouse source.
type Mem struct{ Journeys []model.Journey }

// NewMem simulates cfg into memory.
func NewMem(cfg sim.Config) *Mem {
	var m Mem
	each(cfg, func(j *model.Journey) { m.Journeys = append(m.Journeys, *j) })
	return &m
}

func each(cfg sim.Config, fn func(*model.Journey)) {
	g := sim.New(cfg)
	for {
		s, ok := g.Next()
		if !ok {
			return
		}
		if j, ok := Journey(&s); ok {
			fn(&j)
		}
	}
}

func (m *Mem) Split(context.Context) (model.Window, int, error) {
	return split(func(fn func(*model.Journey)) {
		for i := range m.Journeys {
			fn(&m.Journeys[i])
		}
	})
}

func (m *Mem) Vocabulary(_ context.Context, from, to time.Time) (model.Vocabulary, error) {
	return vocabulary(func(fn func(*model.Journey)) {
		for i := range m.Journeys {
			fn(&m.Journeys[i])
		}
	}, from, to), nil
}

func (m *Mem) Delivered(ctx context.Context, from, to, before time.Time, fn func(*model.Journey) error) error {
	for i := range m.Journeys {
		if err := deliver(&m.Journeys[i], from, to, before, fn); err != nil {
			return err
		}
	}
	return nil
}

func (m *Mem) InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	for i := range m.Journeys {
		if err := inFlight(&m.Journeys[i], from, to, asOf, fn); err != nil {
			return err
		}
	}
	return nil
}

// Sim generates the same simulation again for every pass: the source of
// training benchmarks, whose memory must not grow with the history.
type Sim struct{ Config sim.Config }

func (s *Sim) Split(context.Context) (model.Window, int, error) {
	return split(func(fn func(*model.Journey)) { each(s.Config, fn) })
}

func (s *Sim) Vocabulary(_ context.Context, from, to time.Time) (model.Vocabulary, error) {
	return vocabulary(func(fn func(*model.Journey)) { each(s.Config, fn) }, from, to), nil
}

func (s *Sim) Delivered(ctx context.Context, from, to, before time.Time, fn func(*model.Journey) error) error {
	var err error
	each(s.Config, func(j *model.Journey) {
		if err == nil {
			err = deliver(j, from, to, before, fn)
		}
	})
	return err
}

func (s *Sim) InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	var err error
	each(s.Config, func(j *model.Journey) {
		if err == nil {
			err = inFlight(j, from, to, asOf, fn)
		}
	})
	return err
}

// split is the 70/10/20 split by first scan of the delivered journeys.
func split(all func(func(*model.Journey))) (model.Window, int, error) {
	var firsts []int64
	all(func(j *model.Journey) {
		if _, ok := j.DeliveredAt(); ok {
			firsts = append(firsts, j.Scans[0].Time.Unix())
		}
	})
	if len(firsts) == 0 {
		return model.Window{}, 0, nil
	}
	sort.Slice(firsts, func(a, b int) bool { return firsts[a] < firsts[b] })
	at := func(i int) time.Time { return time.Unix(firsts[i], 0).UTC() }
	n := len(firsts)
	return model.Window{TrainFrom: at(0), TrainTo: at(n * 7 / 10), CalibTo: at(n * 8 / 10),
		TestTo: at(n - 1).Add(time.Second)}, n, nil
}

func vocabulary(all func(func(*model.Journey)), from, to time.Time) model.Vocabulary {
	cs, areas, lanes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	all(func(j *model.Journey) {
		if j.Scans[0].Time.Before(from) || !j.Scans[0].Time.Before(to) {
			return
		}
		o, d := model.Area(j.Origin), model.Area(j.Destination)
		cs[j.Carrier+"|"+j.Service], areas[o], areas[d], lanes[o+">"+d] = true, true, true, true
	})
	return model.Vocabulary{CarrierServices: slices.Sorted(maps.Keys(cs)), Areas: slices.Sorted(maps.Keys(areas)), Lanes: slices.Sorted(maps.Keys(lanes))}
}

func deliver(j *model.Journey, from, to, before time.Time, fn func(*model.Journey) error) error {
	at, ok := j.DeliveredAt()
	if !ok || j.Scans[0].Time.Before(from) || !j.Scans[0].Time.Before(to) || !at.Before(before) {
		return nil
	}
	return fn(j)
}

// inFlight hands fn a journey first scanned in [from, to) and not
// delivered before asOf, cut to its scans before asOf: the rule of
// model.Source.InFlight.
func inFlight(j *model.Journey, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	if j.Scans[0].Time.Before(from) || !j.Scans[0].Time.Before(to) || !j.Scans[0].Time.Before(asOf) {
		return nil
	}
	if at, ok := j.DeliveredAt(); ok && at.Before(asOf) {
		return nil
	}
	c := *j
	n := 0
	for n < len(j.Scans) && j.Scans[n].Time.Before(asOf) {
		n++
	}
	c.Scans = slices.Clone(j.Scans[:n])
	return fn(&c)
}

// Cycle repeats a pool of journeys Copies times, each copy shifted by
// Period, as history of any length in constant memory: the source of the
// training benchmark, which measures the trainer and not a simulator or a
// database. The pool must span less than Period.
type Cycle struct {
	Pool   []model.Journey // delivered or not, in any order
	Copies int
	Period time.Duration

	firsts []int64 // sorted first-scan times of the pool's delivered journeys
}

// NewCycle simulates the pool from cfg; Period is cfg.Days days.
func NewCycle(cfg sim.Config, copies int) *Cycle {
	c := &Cycle{Pool: NewMem(cfg).Journeys, Copies: copies, Period: time.Duration(cfg.Days) * 24 * time.Hour}
	for _, j := range c.Pool {
		if _, ok := j.DeliveredAt(); ok {
			c.firsts = append(c.firsts, j.Scans[0].Time.Unix())
		}
	}
	sort.Slice(c.firsts, func(a, b int) bool { return c.firsts[a] < c.firsts[b] })
	return c
}

// Snapshots is how many snapshot rows the delivered journeys hold.
func (c *Cycle) Snapshots() int {
	n := 0
	for _, j := range c.Pool {
		if at, ok := j.DeliveredAt(); ok {
			for _, s := range j.Scans {
				if s.Time.Before(at) && s.Status != "delivered" {
					n++
				}
			}
		}
	}
	return n * c.Copies
}

func (c *Cycle) Split(context.Context) (model.Window, int, error) {
	n := len(c.firsts) * c.Copies
	if n == 0 {
		return model.Window{}, 0, nil
	}
	at := func(k int) time.Time {
		return time.Unix(c.firsts[k%len(c.firsts)], 0).UTC().Add(time.Duration(k/len(c.firsts)) * c.Period)
	}
	return model.Window{TrainFrom: at(0), TrainTo: at(n * 7 / 10), CalibTo: at(n * 8 / 10),
		TestTo: at(n - 1).Add(time.Second)}, n, nil
}

func (c *Cycle) Vocabulary(_ context.Context, _, _ time.Time) (model.Vocabulary, error) {
	return vocabulary(func(fn func(*model.Journey)) {
		for i := range c.Pool {
			fn(&c.Pool[i])
		}
	}, time.Time{}, farFuture), nil
}

var farFuture = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *Cycle) Delivered(ctx context.Context, from, to, before time.Time, fn func(*model.Journey) error) error {
	return c.each(ctx, from, to, func(j *model.Journey) error { return deliver(j, from, to, before, fn) })
}

func (c *Cycle) InFlight(ctx context.Context, from, to, asOf time.Time, fn func(*model.Journey) error) error {
	return c.each(ctx, from, to, func(j *model.Journey) error { return inFlight(j, from, to, asOf, fn) })
}

// each calls fn for every copy's journey first scanned in [from, to),
// shifted to its copy's period.
func (c *Cycle) each(ctx context.Context, from, to time.Time, fn func(*model.Journey) error) error {
	var j model.Journey
	var buf []model.Scan
	for copy := 0; copy < c.Copies; copy++ {
		shift := time.Duration(copy) * c.Period
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range c.Pool {
			p := &c.Pool[i]
			first := p.Scans[0].Time.Add(shift)
			if first.Before(from) || !first.Before(to) {
				continue
			}
			j = *p
			buf = append(buf[:0], p.Scans...)
			j.Scans = buf
			for k := range j.Scans {
				j.Scans[k].Time = j.Scans[k].Time.Add(shift)
			}
			if !j.Promised.IsZero() {
				j.Promised = j.Promised.Add(shift)
			}
			if err := fn(&j); err != nil {
				return err
			}
		}
	}
	return nil
}
