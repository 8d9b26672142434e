package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// partitionReader reads one partition assigned to this member for one
// generation, and parses its records.
type partitionReader struct {
	c          *Consumer
	topic      string
	partition  int
	parse      ParseFunc
	align      *aligner
	index      int // the partition's place in align
	partitions int // how many partitions the member reads
}

// run reads the partition from offset into msgs until ctx ends. kafka-go
// retries failed fetches itself; what it reports is logged and reading
// goes on. A partition reader that delivers nothing for a whole
// StallTimeout period while the partition has records beyond it (and no
// record of its waits for the batch loop or the aligner) is replaced by
// a new one at the same offset, and that is logged. Each replacement
// waits twice as long as the one before (up to maxStallTimeout), so a
// broker that is merely slow is not asked again and again.
func (r *partitionReader) run(ctx context.Context, offset int64, msgs chan<- fetched) {
	var next atomic.Int64 // the offset to read from: assigned, then after each record delivered
	next.Store(offset)
	stall := r.c.cfg.StallTimeout
	for ctx.Err() == nil {
		if r.read(ctx, &next, stall, msgs) {
			stall = min(2*stall, maxStallTimeout)
		}
	}
}

// read reads the partition with a new kafka-go partition reader from
// next, advancing it, until ctx ends (false) or the reader delivers
// nothing for a whole stall period while records wait (true), as its
// watchdog (stallWatch) finds.
//
// Each record is parsed here, as soon as it is fetched: the partitions'
// readers parse side by side, the aligner sees each record's event time,
// and what waits for the batch is events, not payloads.
func (r *partitionReader) read(ctx context.Context, next *atomic.Int64, stall time.Duration, msgs chan<- fetched) bool {
	c, topic, partition := r.c, r.topic, r.partition
	kr := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   c.cfg.Brokers,
		Topic:     topic,
		Partition: partition,
		MinBytes:  1,
		MaxBytes:  4 << 20,
		MaxWait:   2 * time.Second, // also the read deadline of a fetch: a busy broker gets that long to answer
		// The partitions' queues together hold about fetchQueue records.
		QueueCapacity: max(16, fetchQueue/max(r.partitions, 1)),
		ErrorLogger:   c.kafkaLogger(),
	})
	defer kr.Close()
	if err := kr.SetOffset(next.Load()); err != nil {
		c.log.Error("cannot read partition", "topic", topic, "partition", partition, "offset", next.Load(), "err", err)
		sleepCtx(ctx, time.Second)
		return false
	}
	fctx, cancel := context.WithCancel(ctx)
	var (
		watch stallWatch
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() { // the watchdog, owned by read, which waits for it
		defer wg.Done()
		watch.run(fctx, stall, func(ctx context.Context) bool { return c.stalled(ctx, topic, partition, next.Load(), stall) }, cancel)
	}()
	defer wg.Wait()
	defer cancel()
	for {
		m, err := kr.FetchMessage(fctx)
		switch {
		case ctx.Err() != nil:
			return false
		case watch.gaveUp():
			c.metrics.Retries.WithLabelValues("partition_reader").Inc()
			return true
		case err != nil:
			c.log.Warn("fetch failed; retrying", "topic", topic, "partition", partition, "err", err)
			sleepCtx(ctx, time.Second)
			continue
		}
		watch.hold()
		f := r.parsed(m)
		lag := int64(-1) // unknown
		if m.HighWaterMark > 0 {
			lag = m.HighWaterMark - m.Offset - 1
		}
		r.align.pace(ctx, r.index, latest(f.events), lag)
		select {
		case msgs <- f:
			next.Store(m.Offset + 1)
		case <-ctx.Done():
			return false
		}
		watch.delivered()
	}
}

// parsed parses one record into its canonical events, each naming the
// record as its source.
func (r *partitionReader) parsed(m kafka.Message) fetched {
	events, err := Parse(r.parse, m.Value)
	now := time.Now().UTC()
	for k := range events {
		events[k].Source = schemas.Source{Topic: m.Topic, Partition: int32(m.Partition), Offset: m.Offset, IngestedAt: now}
	}
	return fetched{msg: m, events: events, err: err}
}

// latest is the latest event time among events; zero when there is none.
func latest(events []schemas.ScanEvent) time.Time {
	var t time.Time
	for i := range events {
		if events[i].EventTime.After(t) {
			t = events[i].EventTime
		}
	}
	return t
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// fetchQueue is how many fetched records wait for the batch, in the
// partition readers' queues together and again in the consumer's channel:
// enough to keep parsing busy, few enough that memory does not grow with
// the batch size.
const fetchQueue = 1024
