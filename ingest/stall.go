package ingest

import (
	"context"
	"sync/atomic"
	"time"
)

// maxStallTimeout bounds the wait before a partition reader is replaced.
const maxStallTimeout = 5 * time.Minute

// stallWatch is the watchdog of one partition reader: it gives up on the
// reader when it delivers nothing for a whole period while it is not
// waiting on the aligner or the batch loop, and a check (stalled) says
// records are waiting for it. The reader marks its progress with a few
// atomic operations a record and no timer; the watchdog looks once a
// period.
type stallWatch struct {
	progress atomic.Int64 // records delivered
	waiting  atomic.Bool  // a record waits for the aligner or the batch loop: not the reader's fault
	replaced atomic.Bool  // the watchdog gave up on the reader
}

// hold marks that the reader holds a record it has not delivered yet.
func (w *stallWatch) hold() { w.waiting.Store(true) }

// delivered marks that the reader delivered the record it held.
func (w *stallWatch) delivered() {
	w.waiting.Store(false)
	w.progress.Add(1)
}

// gaveUp reports whether the watchdog gave up on the reader.
func (w *stallWatch) gaveUp() bool { return w.replaced.Load() }

// run checks every period until ctx ends: when nothing was delivered
// since the last look, no record is held, and stalled says records wait,
// it marks the reader replaced, calls replace and returns.
func (w *stallWatch) run(ctx context.Context, period time.Duration, stalled func(context.Context) bool, replace func()) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	last := w.progress.Load()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if n := w.progress.Load(); n != last || w.waiting.Load() {
			last = n
			continue
		}
		if stalled(ctx) {
			w.replaced.Store(true)
			replace()
			return
		}
	}
}

// stalled reports whether a partition has records at or beyond next that
// its reader did not deliver within stall, and logs it.
func (c *Consumer) stalled(ctx context.Context, topic string, partition int, next int64, stall time.Duration) bool {
	offsets, err := c.listOffsets(ctx, map[string][]int{topic: {partition}})
	if err != nil {
		return false // the broker is unreachable: kafka-go keeps trying
	}
	po, ok := offsets[topic][partition]
	if !ok {
		return false
	}
	waiting := backlog(po, next)
	if waiting == 0 {
		return false // caught up: nothing to read
	}
	c.log.Warn("partition reader delivered nothing with records waiting; starting a new one",
		"topic", topic, "partition", partition, "offset", next, "waiting", waiting, "waited", stall)
	return true
}
