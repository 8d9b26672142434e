package live

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// RecentScans streams the scans the bootstrap loads: every scan of the
// numbers whose latest scan is at or after since, each once, in any order.
type RecentScans interface {
	RecentScans(ctx context.Context, since time.Time, fn func(*schemas.ScanEvent) error) error
}

// StoredReferences streams the references set through the API, as
// stored: each number's latest, with when it was set. The bootstrap
// applies them after the scans.
type StoredReferences interface {
	StoredReferences(ctx context.Context, fn func(trackingNumber string, refs predict.References, at time.Time) error) error
}

// Stream is the topic of normalized events. Follow reads it from the
// events published at from on, calling apply with each batch (in order
// within a tracking number; the slice is reused once apply returns) and
// caughtUp once, when every partition read has reached the end it had
// when Follow began. It returns when ctx ends.
type Stream interface {
	Follow(ctx context.Context, from time.Time, apply func([]schemas.ScanEvent), caughtUp func()) error
}

// bootstrapBatch is how many events the bootstrap applies at a time.
const bootstrapBatch = 4096

// Run bootstraps the store from the database, then follows the stream
// and ages shipments out, until ctx ends. A failed bootstrap is retried;
// a failing stream ends Run with its error.
func (s *Store) Run(ctx context.Context) error {
	start := s.opts.Now()
	if s.opts.Bootstrap != nil {
		if err := s.bootstrapRetrying(ctx); err != nil {
			return err
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	if s.opts.Stream != nil {
		g.Go(func() error {
			return s.opts.Stream.Follow(ctx, start.Add(-s.opts.StreamLead),
				func(events []schemas.ScanEvent) { s.apply(events, s.opts.OnChange != nil) },
				func() {
					s.caughtUp.Store(true)
					s.opts.Log.Info("live state caught up with the topic")
				})
		})
	}
	g.Go(func() error {
		t := time.NewTicker(s.opts.AgeOutInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				if n := s.AgeOut(s.opts.Now()); n > 0 {
					s.opts.Log.Info("aged out shipments", "numbers", n)
				}
			}
		}
	})
	return g.Wait()
}

func (s *Store) bootstrapRetrying(ctx context.Context) error {
	wait := DefaultBootstrapRetry
	for {
		err := s.Bootstrap(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.opts.Log.Error("bootstrap of the live state failed; retrying", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// Bootstrap loads the scans of the numbers seen within the maximum
// silence from the database, then ages out those already past their
// retention, and marks the store bootstrapped. Run calls it; it is
// exported for tests and benchmarks.
func (s *Store) Bootstrap(ctx context.Context) error {
	began := time.Now()
	now := s.opts.Now()
	// The rows are read and the batches applied side by side: the
	// applier owns the batches it is sent and hands them back.
	full, free := make(chan []schemas.ScanEvent, 2), make(chan []schemas.ScanEvent, 3)
	applied := make(chan struct{})
	go func() { // owned by Bootstrap, which waits for it
		defer close(applied)
		for b := range full {
			s.apply(b, false)
			free <- b[:0]
		}
	}()
	for range 3 {
		free <- make([]schemas.ScanEvent, 0, bootstrapBatch)
	}
	batch := <-free
	err := s.opts.Bootstrap.RecentScans(ctx, now.Add(-s.opts.MaxSilence), func(e *schemas.ScanEvent) error {
		if !s.Owns(e.TrackingNumber) {
			return nil
		}
		batch = append(batch, *e)
		if len(batch) == cap(batch) {
			full <- batch
			batch = <-free
		}
		return nil
	})
	full <- batch
	close(full)
	<-applied
	if err != nil {
		return fmt.Errorf("bootstrap live state: %w", err)
	}
	if err := s.bootstrapReferences(ctx); err != nil {
		return fmt.Errorf("bootstrap live state: %w", err)
	}
	s.AgeOut(now)
	took := time.Since(began)
	s.m.bootstrap.Set(took.Seconds())
	s.bootstrapped.Store(true)
	n, sc := s.Len()
	s.opts.Log.Info("live state bootstrapped", "numbers", n, "scans", sc, "took", took.Round(time.Millisecond))
	return nil
}

// bootstrapReferences applies the stored references to the shipments
// held: to the one they were set on, not to a later shipment under a
// reused number (one whose first scan came after they were set).
func (s *Store) bootstrapReferences(ctx context.Context) error {
	if s.opts.References == nil {
		return nil
	}
	return s.opts.References.StoredReferences(ctx, func(tn string, refs predict.References, at time.Time) error {
		if !s.Owns(tn) {
			return nil
		}
		sh, ok := s.held(tn)
		if !ok || len(sh.Scans) == 0 || sh.Scans[0].Time.After(at) {
			return nil
		}
		return s.SetReferences(ctx, tn, refs)
	})
}
