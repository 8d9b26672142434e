package ingest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The watchdog gives up on a reader only when it delivered nothing for a
// whole period, holds no record, and records wait for it.
func TestStallWatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		reader   func(ctx context.Context, w *stallWatch) // what the reader does meanwhile
		waiting  bool                                     // what stalled says
		replaced bool
	}{
		{"silent with records waiting", nil, true, true},
		{"silent and caught up", nil, false, false},
		{"delivering", func(ctx context.Context, w *stallWatch) {
			for ctx.Err() == nil {
				w.hold()
				w.delivered()
				time.Sleep(time.Millisecond)
			}
		}, true, false},
		{"holding a record for the batch loop", func(ctx context.Context, w *stallWatch) { w.hold() }, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w stallWatch
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if tc.reader != nil {
				done := make(chan struct{})
				defer func() { cancel(); <-done }()
				go func() { defer close(done); tc.reader(ctx, &w) }() // owned by the test: stopped by cancel
			}
			var checks, replaces atomic.Int32
			w.run(ctx, 100*time.Millisecond, func(context.Context) bool { checks.Add(1); return tc.waiting },
				func() { replaces.Add(1) })
			if w.gaveUp() != tc.replaced || (replaces.Load() == 1) != tc.replaced {
				t.Errorf("gave up %v, replace called %d times; want %v", w.gaveUp(), replaces.Load(), tc.replaced)
			}
			if !tc.replaced && tc.reader != nil && checks.Load() > 1 {
				t.Errorf("asked the broker %d times about a reader that was not silent", checks.Load())
			}
		})
	}
}
