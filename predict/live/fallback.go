package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// ScanLookup finds every scan of one tracking number in the database.
type ScanLookup interface {
	Scans(ctx context.Context, trackingNumber string) ([]schemas.ScanEvent, error)
}

// ErrUnavailable wraps a fallback lookup that failed or ran out of time:
// the database is down or slow, and the request may be retried later
// (503 with Retry-After).
var ErrUnavailable = errors.New("live state: database lookup unavailable")

// Shipment returns the latest shipment under the number: from memory, or
// else from the database under the lookup deadline. A number the database
// does not have is remembered for a while and not asked for again; one it
// has is added to the store (if owned).
func (s *Store) Shipment(ctx context.Context, trackingNumber string) (predict.Shipment, bool, error) {
	if sh, ok := s.held(trackingNumber); ok {
		return sh, true, nil
	}
	if s.opts.Lookup == nil {
		return predict.Shipment{}, false, nil
	}
	if until, miss := s.notFound.Get(trackingNumber); miss {
		if s.opts.Now().Before(until) {
			s.m.lookups.WithLabelValues(lookupCachedMiss).Inc()
			return predict.Shipment{}, false, nil
		}
		s.notFound.Remove(trackingNumber)
	}
	// Concurrent requests for one number share one query; each waits no
	// longer than its own deadline.
	ch := s.lookups.DoChan(trackingNumber, func() (any, error) { return s.lookup(trackingNumber) })
	ctx, cancel := context.WithTimeout(ctx, s.opts.LookupTimeout)
	defer cancel()
	select {
	case res := <-ch:
		if res.Err != nil {
			return predict.Shipment{}, false, res.Err
		}
		f := res.Val.(found)
		return f.sh, f.ok, nil
	case <-ctx.Done():
		return predict.Shipment{}, false, fmt.Errorf("%w: look up %s: %w", ErrUnavailable, trackingNumber, ctx.Err())
	}
}

type found struct {
	sh predict.Shipment
	ok bool
}

// lookup queries the database for one number, under the lookup deadline
// (not the request's: a shared query outlives the request that began it).
func (s *Store) lookup(number string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.LookupTimeout)
	defer cancel()
	events, err := s.opts.Lookup.Scans(ctx, number)
	if err != nil {
		s.m.lookups.WithLabelValues(lookupUnavailable).Inc()
		return nil, fmt.Errorf("%w: look up %s: %w", ErrUnavailable, number, err)
	}
	if len(events) == 0 {
		s.m.lookups.WithLabelValues(lookupNotFound).Inc()
		s.notFound.Add(number, s.opts.Now().Add(s.opts.NotFoundTTL))
		return found{}, nil
	}
	s.m.lookups.WithLabelValues(lookupFound).Inc()
	if s.Owns(number) {
		s.Apply(events)
		sh, ok := s.held(number)
		return found{sh, ok}, nil
	}
	// Another replica's number: answered, not kept.
	r := &record{number: number}
	for i := range events {
		e := &events[i]
		if e.TrackingNumber != number || !valid(e) {
			continue
		}
		owner := s.in.owners.id(ownerKey{e.Carrier, e.ShipmentKey})
		if len(r.scans) == 0 && r.ex == nil {
			r.owner = owner
		}
		sc, isHex := s.in.compactScan(e)
		if !isHex {
			if r.ex == nil {
				r.ex = &extra{}
			}
			r.ex.ids = append(r.ex.ids, e.EventID)
			sc.rawID = uint32(len(r.ex.ids))
		}
		s.in.insert(r.find(owner), sc)
	}
	sh, ok := s.in.shipment(r)
	return found{sh, ok}, nil
}
