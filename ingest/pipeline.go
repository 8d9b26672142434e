package ingest

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// committer commits the offsets of records that were stored. The
// consumer group's generation implements it (generationCommitter); a
// commit that can never succeed returns an error wrapping
// errGenerationOver, marked permanent so that it is not retried.
type committer interface {
	commit(ctx context.Context, offsets []offset) error
}

// pipeline writes the batches the batch loop fills, in order: for each,
// the events to ClickHouse, then to the normalized topic, then the dead
// letters, then the offsets are committed. One batch is written, on a
// goroutine of the pipeline's own, while the next is filled: at most two
// batches are in flight. submit starts a write once the previous one is
// done; finish writes what is left and returns once nothing is in flight.
type pipeline struct {
	events     EventWriter
	dlq        DeadLetterWriter
	normalized EventPublisher // nil: none
	commits    committer
	retry      retrier
	metrics    *Metrics
	log        *slog.Logger
	committed  *atomic.Int64 // records committed, added to after each commit

	busy   *batch     // the batch being written, or whose write failed
	done   chan error // the result of busy's write
	failed error      // busy's write error, once received
	spare  *batch     // a written batch, emptied, to fill next
}

// submit waits for the batch being written, then starts writing b and
// returns an empty batch to fill. If the previous write failed (ctx ended
// during a retry), b is not started: submit returns b and the error, and
// finish writes both.
func (p *pipeline) submit(ctx context.Context, b *batch) (*batch, error) {
	if err := p.wait(); err != nil {
		return b, err
	}
	p.busy, p.done = b, make(chan error, 1)
	go func(b *batch, done chan<- error) { done <- p.flush(ctx, b) }(b, p.done) // owned by p: wait receives its result
	next := p.spare
	if next == nil {
		next = &batch{}
	}
	p.spare = nil
	return next, nil
}

// wait waits for the write in flight; a written batch becomes the spare.
// On error the batch stays busy, its offsets uncommitted.
func (p *pipeline) wait() error {
	if p.busy == nil {
		return nil
	}
	if p.failed != nil {
		return p.failed
	}
	if err := <-p.done; err != nil {
		p.failed = err
		return err
	}
	p.busy.reset()
	p.spare, p.busy = p.busy, nil
	return nil
}

// finish writes, within timeout, the batch whose write failed or is in
// flight, then b, in that order; what cannot be written is read again by
// whoever consumes these partitions next.
func (p *pipeline) finish(b *batch, timeout time.Duration) {
	if err := p.wait(); err != nil {
		failed := p.busy
		p.busy, p.failed = nil, nil
		p.finalFlush(failed, timeout)
		if len(failed.offsets) > 0 { // still unwritten: b must not be committed past it
			p.log.Warn("final flush incomplete; the records will be read again", "records", len(failed.offsets)+len(b.offsets))
			return
		}
	}
	p.finalFlush(b, timeout)
}

// finalFlush writes b within timeout; b is empty after a successful
// write.
func (p *pipeline) finalFlush(b *batch, timeout time.Duration) {
	if len(b.offsets) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := p.flush(ctx, b); err != nil {
		p.log.Warn("final flush incomplete; the records will be read again", "records", len(b.offsets), "err", err)
	}
}

// flush writes events, then publishes them to the normalized topic when
// configured, then writes dead letters, then commits the offsets, each
// retried until it succeeds or ctx ends. On error the batch is kept:
// nothing was committed.
func (p *pipeline) flush(ctx context.Context, b *batch) error {
	if len(b.events) > 0 {
		start := time.Now()
		if err := p.retry.do(ctx, "insert", func() error { return p.events.WriteEvents(ctx, b.events) }); err != nil {
			return err
		}
		p.metrics.InsertSeconds.Observe(time.Since(start).Seconds())
		p.metrics.BatchSize.Observe(float64(len(b.events)))
		p.metrics.RowsInserted.Add(float64(len(b.events)))
		if n := p.normalized; n != nil {
			if err := p.retry.do(ctx, "normalized", func() error { return n.PublishEvents(ctx, b.events) }); err != nil {
				return err
			}
		}
	}
	if len(b.letters) > 0 {
		if err := p.retry.do(ctx, "dead_letter", func() error { return p.dlq.WriteDeadLetters(ctx, b.letters) }); err != nil {
			return err
		}
	}
	if err := p.retry.do(ctx, "commit", func() error { return p.commits.commit(ctx, b.offsets) }); err != nil {
		if !errors.Is(err, errGenerationOver) {
			return err
		}
		// Stored but not committed: the partitions' next owner reads
		// these records again.
		p.log.Warn("offsets not committed: the group has moved on; the records will be read again",
			"records", len(b.offsets), "err", err)
		b.reset()
		return nil
	}
	p.committed.Add(int64(len(b.offsets)))
	p.metrics.LastCommit.SetToCurrentTime()
	setLag(p.metrics.Lag, b.offsets)
	b.reset()
	return nil
}
