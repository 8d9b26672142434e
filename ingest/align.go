package ingest

import (
	"context"
	"sync"
	"time"
)

// aligner keeps the partitions of a backlog close together in event
// time. Carrier topics differ in volume: read record for record, the
// partitions of a quiet topic race months ahead of a busy one's, and
// every batch then spans the whole backlog. scan_events is partitioned by
// month, so such a batch lands as one small part per month, and the server
// spends its time creating and merging parts. With the aligner, a
// partition in a backlog that is more than window ahead of the slowest
// such partition waits until that one is within window/2 of it: batches
// then span a short stretch of time and make few, large parts.
//
// A partition is in a backlog once it is seen with at least catchUpLag
// records after the one it delivers, and until it first reaches its end;
// from then on it is live for the rest of the generation and never waits,
// so live scans are not held back by a backfill on another partition. A
// partition that waited maxHold in one go (its records are far ahead of
// a backlog that moves slowly) is treated as live as well. A partition
// that has delivered nothing for staleAfter (a slow broker, a reader being
// replaced, a batch loop busy inserting) holds no one back. One that has
// delivered nothing yet may be the furthest behind of all: it holds the
// others back until it delivers, or for staleAfter from the start, so
// that a reader slow to start does not let the others race ahead; a
// partition with nothing to read when assigned is live from the start
// (caughtUp).
type aligner struct {
	window     time.Duration
	catchUpLag int64
	maxHold    time.Duration
	staleAfter time.Duration
	started    time.Time

	// waited, when set, is told how long each wait lasted.
	waited func(time.Duration)

	mu      sync.Mutex
	parts   []alignedPart
	waiting int // how many partitions wait
	// need is, while some wait, the earliest event time the slowest
	// partition must reach for one of them to go on: a partition below it
	// cannot release anyone, so most records do not look at the waiters.
	need time.Time
}

type alignedPart struct {
	at      time.Time     // the latest event time delivered; zero before any
	backlog bool          // in a backlog: aligned with the others in one
	live    bool          // reached its end (or waited maxHold): never aligned again
	seen    time.Time     // when it last delivered a record; zero before any
	release chan struct{} // set while the partition waits; closed to wake it
	// limit is how far at may go without looking at the others again: the
	// slowest partition's event time plus window when last looked at. The
	// slowest partition's time only grows but for a partition that joins
	// the backlog behind it, so a partition looks again once it passes
	// limit, not for every record.
	limit time.Time
}

// The aligner's timing: how long a partition may wait in one go, and how
// long a partition may deliver nothing and still hold others back.
// Variables only so that a test on a machine under heavy load can
// lengthen them.
var (
	alignMaxHold    = 10 * time.Second
	alignStaleAfter = time.Second
)

func newAligner(partitions int, window time.Duration, catchUpLag int64) *aligner {
	return &aligner{window: window, catchUpLag: catchUpLag, maxHold: alignMaxHold, staleAfter: alignStaleAfter,
		started: time.Now(), parts: make([]alignedPart, partitions)}
}

// pace records that partition i is about to deliver a record whose events
// reach event time at (zero when it has none) with lag records after it
// (negative when unknown), and waits while the partition is too far ahead
// of the slowest partition in a backlog, or until ctx ends.
func (a *aligner) pace(ctx context.Context, i int, at time.Time, lag int64) {
	if a == nil || a.window <= 0 {
		return
	}
	a.mu.Lock()
	p := &a.parts[i]
	now := time.Now()
	if at.After(p.at) {
		p.at = at
	}
	first := p.seen.IsZero()
	p.seen = now
	counted := p.backlog && !p.live // among the partitions the slowest is taken from
	switch {
	case lag == 0:
		p.live = true
	case lag >= a.catchUpLag:
		p.backlog = true
	}
	if a.waiting > 0 && (first || counted && p.live || p.backlog && !p.live && !p.at.Before(a.need)) {
		a.wake(now)
	}
	if !p.backlog || p.live || !p.at.After(p.limit) { // p.limit is zero before the first look, as p.at before any event
		a.mu.Unlock()
		return
	}
	slowest, ok := a.slowest(i, now)
	if within(p.at, slowest, ok, a.window) {
		if ok {
			p.limit = slowest.Add(a.window)
		}
		a.mu.Unlock()
		return
	}
	held := now
	for {
		release := make(chan struct{})
		p.release = release
		a.waiting++
		a.setNeed()
		a.mu.Unlock()
		t := time.NewTimer(a.staleAfter)
		select {
		case <-release:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		a.mu.Lock()
		if p.release != nil { // not woken by wake
			p.release = nil
			a.waiting--
			a.setNeed()
		}
		now = time.Now()
		p.seen = now // waiting here is not silence
		if now.Sub(held) >= a.maxHold {
			p.live = true
		}
		slowest, ok = a.slowest(i, now)
		if ctx.Err() != nil || p.live || within(p.at, slowest, ok, a.window/2) {
			a.mu.Unlock()
			if a.waited != nil {
				a.waited(now.Sub(held))
			}
			return
		}
	}
}

// caughtUp marks partition i as having nothing to read when assigned: it
// is live from the start, and holds no one back before it delivers.
func (a *aligner) caughtUp(i int) {
	a.mu.Lock()
	a.parts[i].live = true
	a.mu.Unlock()
}

// slowest returns the earliest event time among the partitions other than
// i that are in a backlog, not waiting, and were seen within staleAfter;
// false if there is none. A partition that has delivered nothing yet,
// within staleAfter of the start, is the slowest, at the zero time. a.mu
// is held.
func (a *aligner) slowest(i int, now time.Time) (time.Time, bool) {
	var min time.Time
	ok := false
	for k := range a.parts {
		q := &a.parts[k]
		if k != i && q.seen.IsZero() && !q.live && now.Sub(a.started) <= a.staleAfter {
			return time.Time{}, true
		}
		if k == i || !q.backlog || q.live || q.at.IsZero() || q.release != nil || now.Sub(q.seen) > a.staleAfter {
			continue
		}
		if !ok || q.at.Before(min) {
			min, ok = q.at, true
		}
	}
	return min, ok
}

// wake releases the waiting partitions that are now within window/2 of
// the slowest one. a.mu is held.
func (a *aligner) wake(now time.Time) {
	slowest, ok := a.slowest(-1, now) // waiting partitions do not count
	for k := range a.parts {
		q := &a.parts[k]
		if q.release != nil && within(q.at, slowest, ok, a.window/2) {
			close(q.release)
			q.release = nil
			a.waiting--
		}
	}
	a.setNeed()
}

// within reports whether event time at is no more than d ahead of the
// slowest partition's, or there is no slowest partition (ok false).
func within(at, slowest time.Time, ok bool, d time.Duration) bool {
	return !ok || !at.After(slowest.Add(d))
}

// setNeed sets need from the partitions that wait. a.mu is held.
func (a *aligner) setNeed() {
	first := true
	for k := range a.parts {
		q := &a.parts[k]
		if q.release != nil && (first || q.at.Add(-a.window/2).Before(a.need)) {
			a.need, first = q.at.Add(-a.window/2), false
		}
	}
}
