package ingest

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/schemas"
)

// offset is where a record of a batch was read: what committing it and
// setting its partition's lag need, and no payload.
type offset struct {
	topic     string
	partition int
	offset    int64
	highWater int64 // the partition's high-water mark when the record was fetched; zero when unknown
}

// batch is what was read since the last flush.
type batch struct {
	offsets []offset // one per record: what to commit
	events  []schemas.ScanEvent
	letters []DeadLetter
	started time.Time
}

// reset empties the batch for reuse, keeping its slices' memory but none
// of the events' strings or the dead letters' payloads.
func (b *batch) reset() {
	clear(b.events)
	clear(b.letters)
	b.offsets, b.events, b.letters = b.offsets[:0], b.events[:0], b.letters[:0]
	b.started = time.Time{}
}

// fetched is one record read from a partition and parsed by its reader.
type fetched struct {
	msg    kafka.Message
	events []schemas.ScanEvent
	err    error
}

// add appends one parsed record to the batch: its events, or its dead
// letter, and its offset. The batch keeps no payload: a dead letter keeps
// the record whole, and the rest of the record is let go here.
func (c *Consumer) add(b *batch, f fetched) {
	if len(b.offsets) == 0 {
		b.started = time.Now()
	}
	m := &f.msg
	c.counter(c.metrics.Records, m.Topic).Inc()
	for k := range f.events {
		e := &f.events[k]
		c.counter(c.metrics.Events, e.Carrier).Inc()
		if e.Status == schemas.StatusUnknown {
			c.counter(c.metrics.UnknownStatus, e.Carrier).Inc()
		}
	}
	feed := c.feeds[m.Topic]
	if len(f.events) == 0 && f.err == nil {
		c.counter(c.metrics.NoScans, feed).Inc()
	}
	b.events = append(b.events, f.events...)
	// A carrier's error reply beside scans that were kept is counted only;
	// any other error dead-letters the record.
	if f.err != nil && c.countCarrierErrors(f.err) {
		b.letters = append(b.letters, DeadLetter{Original: *m, Feed: feed, Reason: Reason(f.err), Detail: Detail(f.err)})
		c.counter(c.metrics.DeadLetters, feed).Inc()
	}
	b.offsets = append(b.offsets, offset{topic: m.Topic, partition: m.Partition, offset: m.Offset, highWater: m.HighWaterMark})
}

// counter returns the child of vec for label, cached: the hot path
// counts every record and event, and a label look-up hashes the label.
func (c *Consumer) counter(vec *prometheus.CounterVec, label string) prometheus.Counter {
	k := counterKey{vec, label}
	if ctr, ok := c.counters[k]; ok {
		return ctr
	}
	ctr := vec.WithLabelValues(label)
	c.counters[k] = ctr
	return ctr
}

type counterKey struct {
	vec   *prometheus.CounterVec
	label string
}
