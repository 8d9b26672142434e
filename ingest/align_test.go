package ingest

import (
	"context"
	"testing"
	"time"
)

var day0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func days(n float64) time.Time { return day0.Add(time.Duration(n * 24 * float64(time.Hour))) }

// paced runs a.pace on its own goroutine and returns a channel closed
// once it returns.
func paced(ctx context.Context, a *aligner, i int, at time.Time, lag int64) <-chan struct{} {
	done := make(chan struct{})
	go func() { defer close(done); a.pace(ctx, i, at, lag) }()
	return done
}

// introduce has every partition of a deliver a record without events, as
// readers that have started: a partition that has delivered nothing yet
// holds the others back.
func introduce(a *aligner) {
	for i := range a.parts {
		a.pace(context.Background(), i, time.Time{}, -1)
	}
}

func returned(done <-chan struct{}, within time.Duration) bool {
	select {
	case <-done:
		return true
	case <-time.After(within):
		return false
	}
}

func TestAlignerHoldsThePartitionAhead(t *testing.T) {
	ctx := context.Background()
	a := newAligner(2, 24*time.Hour, 1000)
	a.staleAfter = time.Minute // no partition goes stale in this test
	introduce(a)
	waits := make(chan time.Duration, 10)
	a.waited = func(d time.Duration) { waits <- d }
	a.pace(ctx, 0, days(0), 5000)
	if !returned(paced(ctx, a, 1, days(0.5), 5000), time.Second) {
		t.Fatal("a partition within the window was held")
	}
	ahead := paced(ctx, a, 1, days(10), 5000)
	if returned(ahead, 100*time.Millisecond) {
		t.Fatal("a partition 10 days ahead of the slowest was not held")
	}
	// The slowest moves up, but not yet within half a window: still held.
	a.pace(ctx, 0, days(9), 5000)
	if returned(ahead, 100*time.Millisecond) {
		t.Fatal("released while a day ahead, before the slowest came within half a window")
	}
	a.pace(ctx, 0, days(9.6), 5000)
	if !returned(ahead, time.Second) {
		t.Fatal("not released once the slowest came within half a window")
	}
	if len(waits) != 1 {
		t.Fatalf("%d waits reported, want 1", len(waits))
	}
	if d := <-waits; d < 150*time.Millisecond {
		t.Errorf("wait reported as %v; it lasted at least 200 ms", d)
	}
}

func TestAlignerLeavesCaughtUpPartitionsAlone(t *testing.T) {
	ctx := context.Background()
	a := newAligner(3, time.Hour, 1000)
	a.staleAfter = time.Minute
	introduce(a)
	a.pace(ctx, 0, days(0), 5000) // a backfill, months behind
	// Live scans on a partition that is caught up are never held.
	if !returned(paced(ctx, a, 1, days(200), 3), time.Second) {
		t.Fatal("a caught-up partition was held")
	}
	// And do not hold back another backfill partition.
	a.pace(ctx, 0, days(100), 5000)
	if !returned(paced(ctx, a, 2, days(100.01), 5000), time.Second) {
		t.Fatal("a caught-up partition held another one back")
	}
	// Records without events (no event time) pass.
	if !returned(paced(ctx, a, 2, time.Time{}, 5000), time.Second) {
		t.Fatal("a record without events was held")
	}
}

func TestAlignerIgnoresASilentPartition(t *testing.T) {
	ctx := context.Background()
	a := newAligner(2, time.Hour, 1000)
	a.staleAfter = 150 * time.Millisecond
	introduce(a)
	a.pace(ctx, 0, days(0), 5000) // then silent: a slow broker, a stuck reader
	start := time.Now()
	if !returned(paced(ctx, a, 1, days(30), 5000), 5*time.Second) {
		t.Fatal("held behind a partition that has delivered nothing since")
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("released after %v, before the slowest partition went silent for staleAfter", waited)
	}
}

func TestAlignerStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	a := newAligner(2, time.Hour, 1000)
	a.staleAfter = time.Minute
	introduce(a)
	a.pace(ctx, 0, days(0), 5000)
	held := paced(ctx, a, 1, days(30), 5000)
	if returned(held, 100*time.Millisecond) {
		t.Fatal("not held")
	}
	cancel()
	if !returned(held, time.Second) {
		t.Fatal("still held after the context ended")
	}
}

func TestAlignerOff(t *testing.T) {
	ctx := context.Background()
	a := newAligner(2, -1, 1000)
	a.pace(ctx, 0, days(0), 5000)
	if !returned(paced(ctx, a, 1, days(300), 5000), time.Second) {
		t.Fatal("held with alignment off")
	}
}

// A partition whose reader has delivered nothing yet may be the furthest
// behind: the others wait for its first record, or for staleAfter from
// the start when it has none to deliver.
func TestAlignerWaitsForPartitionsNotYetDelivered(t *testing.T) {
	ctx := context.Background()
	a := newAligner(2, time.Hour, 1000)
	a.staleAfter = time.Minute
	ahead := paced(ctx, a, 0, days(30), 5000)
	if returned(ahead, 100*time.Millisecond) {
		t.Fatal("not held while another partition had delivered nothing")
	}
	a.pace(ctx, 1, days(0), 5000) // the slow starter is a month behind
	if returned(ahead, 100*time.Millisecond) {
		t.Fatal("released by the first record of a partition a month behind")
	}
	a.pace(ctx, 1, days(29.99), 5000)
	if !returned(ahead, time.Second) {
		t.Fatal("not released once the slow starter caught up")
	}

	// A partition with nothing to deliver holds the others for staleAfter.
	a = newAligner(2, time.Hour, 1000)
	a.staleAfter = 150 * time.Millisecond
	start := time.Now()
	if !returned(paced(ctx, a, 0, days(30), 5000), 5*time.Second) {
		t.Fatal("held for good by a partition that never delivers")
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("released after %v, before staleAfter from the start", waited)
	}
}
