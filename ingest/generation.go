package ingest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// consumeGeneration reads the partitions gen assigned to this member
// until the generation ends (a rebalance) or ctx is cancelled, then
// stores and commits what it read, within the rebalance or shutdown
// timeout, and returns. The generation does not end, and the group does
// not move on, before that: kafka-go waits for every function started
// with gen.Start.
func (c *Consumer) consumeGeneration(ctx context.Context, gen *kafka.Generation) {
	ended := make(chan struct{})    // the generation is over
	released := make(chan struct{}) // and what was read in it is stored, or given up
	defer close(released)
	gen.Start(func(gctx context.Context) {
		<-gctx.Done()
		close(ended)
		<-released
	})
	select {
	case <-ended: // over before it began: nothing to read or commit in it
		return
	case <-ctx.Done():
		return
	default:
	}
	type assignment struct {
		topic string
		kafka.PartitionAssignment
	}
	var assigned []assignment
	for topic, parts := range gen.Assignments {
		for _, pa := range parts {
			assigned = append(assigned, assignment{topic, pa})
		}
	}
	c.log.Info("partitions assigned", "generation", gen.ID, "member", gen.MemberID, "partitions", len(assigned),
		"assignments", fmt.Sprint(gen.Assignments))
	c.metrics.Assigned.Set(float64(len(assigned)))
	defer c.metrics.Assigned.Set(0)
	waiting := c.startLag(ctx, gen.Assignments)

	fetchCtx, stopFetch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopFetch()
	msgs := make(chan fetched, fetchQueue)
	align := newAligner(len(assigned), c.cfg.AlignWindow, c.cfg.CatchUpLag)
	for i, a := range assigned {
		if n, ok := waiting[a.topic][a.ID]; ok && n == 0 {
			align.caughtUp(i) // nothing to read: it holds no one back while it delivers nothing
		}
	}
	align.waited = func(d time.Duration) { c.metrics.BacklogWait.Add(d.Seconds()) }
	var fetchers sync.WaitGroup
	for i, a := range assigned {
		fetchers.Add(1)
		go func() { // owned by consumeGeneration: stopped by stopFetch
			defer fetchers.Done()
			r := &partitionReader{c: c, topic: a.topic, partition: a.ID, parse: c.parsers[a.topic],
				align: align, index: i, partitions: len(assigned)}
			r.run(fetchCtx, a.Offset, msgs)
		}()
	}
	go func() { fetchers.Wait(); close(msgs) }() // ends once the fetchers have

	// One batch is written (inserted, published, dead letters, committed)
	// while the next is read and parsed. Writes stay in batch order, and a
	// batch's offsets are committed only after it is stored.
	p := c.newPipeline(generationCommitter{gen: gen, ended: ended})
	b := &batch{}
	tick := time.NewTicker(max(c.cfg.FlushInterval/4, 10*time.Millisecond))
	defer tick.Stop()
	finishWithin, revoked := c.cfg.ShutdownTimeout, false
	incoming := msgs // nil once closed: a member assigned no partition has no fetchers
	for stop := false; !stop; {
		select {
		case m, ok := <-incoming:
			if !ok {
				incoming = nil
				continue
			}
			c.add(b, m)
			if len(b.offsets) >= c.cfg.BatchSize {
				var err error
				if b, err = p.submit(ctx, b); err != nil {
					stop = true // ctx ended during a retry: shut down
				}
			}
		case <-tick.C:
			if len(b.offsets) > 0 && time.Since(b.started) >= c.cfg.FlushInterval {
				var err error
				if b, err = p.submit(ctx, b); err != nil {
					stop = true
				}
			}
		case <-ended:
			finishWithin, revoked = c.rebalanceTimeout(), true
			stop = true
		case <-ctx.Done():
			stop = true
		}
	}
	// Keep what was already fetched, and store it.
	stopFetch()
	for m := range msgs {
		c.add(b, m)
	}
	p.finish(b, finishWithin)
	c.log.Info("generation over", "generation", gen.ID, "rebalance", revoked)
	if revoked { // the partitions may be another member's now: theirs to report
		c.metrics.Rebalances.Inc()
		for _, a := range assigned {
			c.metrics.Lag.DeleteLabelValues(a.topic, strconv.Itoa(a.ID))
		}
	}
}

// newPipeline returns the pipeline writing this consumer's batches and
// committing them through commits.
func (c *Consumer) newPipeline(commits committer) *pipeline {
	return &pipeline{
		events: c.events, dlq: c.dlq, normalized: c.cfg.Normalized, commits: commits,
		retry:   retrier{initial: retryInitialInterval, max: c.cfg.MaxRetryInterval, retries: c.metrics.Retries, log: c.log},
		metrics: c.metrics, log: c.log, committed: &c.committed,
	}
}
