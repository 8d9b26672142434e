package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/parcelcast/parcelcast/schemas"
)

// calls records, in order, what the pipeline's fake sinks were asked to
// do and did: "insert b1", "normalized b1", "dead_letter b1", "commit b1",
// naming each batch by its records.
type calls struct {
	mu  sync.Mutex
	log []string
}

func (c *calls) add(stage, batch string) {
	c.mu.Lock()
	c.log = append(c.log, stage+" "+batch)
	c.mu.Unlock()
}

func (c *calls) get() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log)
}

// stage is one fake sink: before is called first on every attempt, and
// an attempt it fails is not recorded, nor one made after ctx ended.
// failures fails that many attempts first.
type stage struct {
	calls    *calls
	before   func(ctx context.Context) error
	failures atomic.Int32
	active   atomic.Int32 // attempts running now
	most     atomic.Int32 // the most attempts that ran at once
}

func (s *stage) attempt(ctx context.Context, name, batch string) error {
	n := s.active.Add(1)
	defer s.active.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	if s.before != nil {
		if err := s.before(ctx); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err // as a real sink: an attempt after ctx ended fails
	}
	if s.failures.Load() > 0 {
		s.failures.Add(-1)
		return fmt.Errorf("%s refused", name)
	}
	s.calls.add(name, batch)
	return nil
}

type fakeEvents struct{ stage }

func (f *fakeEvents) WriteEvents(ctx context.Context, events []schemas.ScanEvent) error {
	return f.attempt(ctx, "insert", events[0].TrackingNumber)
}

type fakePublisher struct{ stage }

func (f *fakePublisher) PublishEvents(ctx context.Context, events []schemas.ScanEvent) error {
	return f.attempt(ctx, "normalized", events[0].TrackingNumber)
}

type fakeDeadLetters struct{ stage }

func (f *fakeDeadLetters) WriteDeadLetters(ctx context.Context, letters []DeadLetter) error {
	return f.attempt(ctx, "dead_letter", letters[0].Feed)
}

type fakeCommitter struct {
	stage
	err error // returned by every commit when set
}

func (f *fakeCommitter) commit(ctx context.Context, offsets []offset) error {
	if f.err != nil {
		return f.err
	}
	return f.attempt(ctx, "commit", offsets[0].topic)
}

// fakes are a pipeline's sinks and committer, sharing one call log.
type fakes struct {
	calls      *calls
	events     *fakeEvents
	normalized *fakePublisher
	letters    *fakeDeadLetters
	commits    *fakeCommitter
	metrics    *Metrics
	committed  atomic.Int64
}

func newFakes() *fakes {
	c := &calls{}
	f := &fakes{calls: c, metrics: NewMetrics(nil)}
	f.events = &fakeEvents{stage{calls: c}}
	f.normalized = &fakePublisher{stage{calls: c}}
	f.letters = &fakeDeadLetters{stage{calls: c}}
	f.commits = &fakeCommitter{stage: stage{calls: c}}
	return f
}

// pipeline returns a pipeline over the fakes retrying every retryEvery.
func (f *fakes) pipeline(retryEvery time.Duration, normalized bool) *pipeline {
	p := &pipeline{events: f.events, dlq: f.letters, commits: f.commits,
		retry:   retrier{initial: retryEvery, max: retryEvery, retries: f.metrics.Retries, log: slog.New(slog.DiscardHandler)},
		metrics: f.metrics, log: slog.New(slog.DiscardHandler), committed: &f.committed}
	if normalized {
		p.normalized = f.normalized
	}
	return p
}

// testBatch is a batch named name of records records: events of them
// parsed into one event each, and the rest dead letters.
func testBatch(name string, records, events int) *batch {
	b := &batch{started: time.Now()}
	for i := range records {
		b.offsets = append(b.offsets, offset{topic: name, partition: 0, offset: int64(i), highWater: int64(records + 10)})
		if i < events {
			b.events = append(b.events, schemas.ScanEvent{TrackingNumber: name})
		} else {
			b.letters = append(b.letters, DeadLetter{Feed: name})
		}
	}
	return b
}

// Every batch is inserted, then published to the normalized topic, then
// its dead letters are written, and only then its offsets committed; the
// batches are written in the order they were submitted, and finish
// writes the last one.
func TestPipelineOrder(t *testing.T) {
	for _, tc := range []struct {
		name       string
		normalized bool
		events     int // of 3 records a batch; the rest are dead letters
		want       []string
	}{
		{"events, normalized and dead letters", true, 2, []string{
			"insert b1", "normalized b1", "dead_letter b1", "commit b1",
			"insert b2", "normalized b2", "dead_letter b2", "commit b2",
			"insert b3", "normalized b3", "dead_letter b3", "commit b3"}},
		{"no normalized topic", false, 2, []string{
			"insert b1", "dead_letter b1", "commit b1",
			"insert b2", "dead_letter b2", "commit b2",
			"insert b3", "dead_letter b3", "commit b3"}},
		{"no dead letters", true, 3, []string{
			"insert b1", "normalized b1", "commit b1",
			"insert b2", "normalized b2", "commit b2",
			"insert b3", "normalized b3", "commit b3"}},
		{"dead letters only", true, 0, []string{
			"dead_letter b1", "commit b1", "dead_letter b2", "commit b2", "dead_letter b3", "commit b3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakes()
			p := f.pipeline(time.Millisecond, tc.normalized)
			ctx := context.Background()
			for _, name := range []string{"b1", "b2"} {
				if _, err := p.submit(ctx, testBatch(name, 3, tc.events)); err != nil {
					t.Fatal(err)
				}
			}
			p.finish(testBatch("b3", 3, tc.events), time.Minute)
			if got := f.calls.get(); !slices.Equal(got, tc.want) {
				t.Errorf("calls\n%q\nwant\n%q", got, tc.want)
			}
			if n := f.committed.Load(); n != 9 {
				t.Errorf("committed %d records, want 9", n)
			}
			if lag := testutil.ToFloat64(f.metrics.Lag.WithLabelValues("b3", "0")); lag != 10 {
				t.Errorf("lag of b3 after its commit = %v, want 10", lag)
			}
		})
	}
}

// No offset is committed while the insert of its batch waits for
// ClickHouse's answer.
func TestPipelineCommitsAfterInsert(t *testing.T) {
	f := newFakes()
	answer := make(chan struct{})
	f.events.before = func(context.Context) error { <-answer; return nil }
	p := f.pipeline(time.Millisecond, true)
	if _, err := p.submit(context.Background(), testBatch("b1", 3, 2)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if got := f.calls.get(); len(got) != 0 {
		t.Fatalf("before the insert was acknowledged: %q", got)
	}
	close(answer)
	p.finish(&batch{}, time.Minute)
	want := []string{"insert b1", "normalized b1", "dead_letter b1", "commit b1"}
	if got := f.calls.get(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

// A stage that fails is retried until it succeeds, counted by stage, and
// the stages after it wait for it.
func TestPipelineRetries(t *testing.T) {
	for _, stage := range []string{"insert", "normalized", "dead_letter", "commit"} {
		t.Run(stage, func(t *testing.T) {
			f := newFakes()
			failing := map[string]*atomic.Int32{"insert": &f.events.failures, "normalized": &f.normalized.failures,
				"dead_letter": &f.letters.failures, "commit": &f.commits.failures}[stage]
			failing.Store(3)
			p := f.pipeline(time.Millisecond, true)
			p.finish(testBatch("b1", 3, 2), time.Minute)
			want := []string{"insert b1", "normalized b1", "dead_letter b1", "commit b1"}
			if got := f.calls.get(); !slices.Equal(got, want) {
				t.Errorf("calls %q, want %q", got, want)
			}
			if n := testutil.ToFloat64(f.metrics.Retries.WithLabelValues(stage)); n != 3 {
				t.Errorf("%v retries of %s, want 3", n, stage)
			}
			if n := f.committed.Load(); n != 3 {
				t.Errorf("committed %d records, want 3", n)
			}
		})
	}
}

// A wait between retries ends with ctx: submit returns at once, nothing
// is committed, and finish then writes the failed batch and the next, in
// order, or neither when the failed one still cannot be written.
func TestPipelineRetryWaitEndsWithContext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		recover bool // the insert succeeds again by shutdown
		want    []string
	}{
		{"stored at shutdown", true, []string{"insert b1", "commit b1", "insert b2", "commit b2"}},
		{"still failing at shutdown", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakes()
			var down atomic.Bool
			down.Store(true)
			failed := make(chan struct{}, 1)
			f.events.before = func(context.Context) error {
				if down.Load() {
					select {
					case failed <- struct{}{}:
					default:
					}
					return errors.New("ClickHouse is down")
				}
				return nil
			}
			p := f.pipeline(time.Hour, false) // a wait only ctx can end
			ctx, cancel := context.WithCancel(context.Background())
			if _, err := p.submit(ctx, testBatch("b1", 2, 2)); err != nil {
				t.Fatal(err)
			}
			<-failed
			cancel()
			start := time.Now()
			b2 := testBatch("b2", 2, 2)
			if _, err := p.submit(ctx, b2); err == nil {
				t.Fatal("submit after the context ended while b1 was retried: no error")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("submit returned %s after the context ended", d)
			}
			if got := f.calls.get(); len(got) != 0 {
				t.Fatalf("calls %q before shutdown, want none", got)
			}
			down.Store(!tc.recover)
			p.retry.initial, p.retry.max = time.Millisecond, time.Millisecond
			p.finish(b2, 100*time.Millisecond)
			if got := f.calls.get(); !slices.Equal(got, tc.want) {
				t.Errorf("calls %q, want %q", got, tc.want)
			}
		})
	}
}

// At most two batches are in flight: the one being written and the one
// being filled. submit waits for the write before, and hands back the
// written batch, emptied, to fill next.
func TestPipelineTwoBatchesInFlight(t *testing.T) {
	f := newFakes()
	answer := make(chan struct{})
	f.events.before = func(context.Context) error { <-answer; return nil }
	p := f.pipeline(time.Millisecond, false)
	ctx := context.Background()
	b1 := testBatch("b1", 3, 3)
	next, err := p.submit(ctx, b1)
	if err != nil {
		t.Fatal(err)
	}
	if next == b1 || len(next.offsets) != 0 {
		t.Fatalf("submit returned %p with %d records, want a new empty batch", next, len(next.offsets))
	}
	returned := make(chan *batch)
	go func() { // owned by the test, which receives its batch
		b, err := p.submit(ctx, testBatch("b2", 3, 3))
		if err != nil {
			t.Error(err)
		}
		returned <- b
	}()
	select {
	case <-returned:
		t.Fatal("a second batch was submitted while the first was written")
	case <-time.After(50 * time.Millisecond):
	}
	close(answer)
	spare := <-returned
	if spare != b1 || len(spare.offsets) != 0 || len(spare.events) != 0 {
		t.Errorf("the batch to fill after b1 was written: %p with %d records, want b1 (%p) emptied", spare, len(spare.offsets), b1)
	}
	p.finish(spare, time.Minute)
	if n := f.events.most.Load(); n != 1 {
		t.Errorf("%d inserts at once, want 1", n)
	}
	want := []string{"insert b1", "commit b1", "insert b2", "commit b2"}
	if got := f.calls.get(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}

// On shutdown, finish stores and commits the batch in flight and the one
// being filled, and returns once nothing is left in flight.
func TestPipelineShutdownFlushes(t *testing.T) {
	f := newFakes()
	var slow atomic.Bool
	slow.Store(true)
	f.events.before = func(context.Context) error {
		if slow.Swap(false) {
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	}
	p := f.pipeline(time.Millisecond, true)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := p.submit(ctx, testBatch("b1", 3, 2)); err != nil {
		t.Fatal(err)
	}
	cancel() // shutdown: the batch in flight is still stored
	p.finish(testBatch("b2", 2, 1), time.Minute)
	want := []string{"insert b1", "normalized b1", "dead_letter b1", "commit b1",
		"insert b2", "normalized b2", "dead_letter b2", "commit b2"}
	if got := f.calls.get(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	if n := f.committed.Load(); n != 5 {
		t.Errorf("committed %d records, want 5", n)
	}
}

// A commit the group refuses because its generation is over is not
// retried: the batch was stored, is let go uncounted, and the next batch
// is written.
func TestPipelineGenerationOver(t *testing.T) {
	f := newFakes()
	f.commits.err = backoff.Permanent(fmt.Errorf("%w: illegal generation", errGenerationOver))
	p := f.pipeline(time.Millisecond, false)
	b1 := testBatch("b1", 2, 2)
	if _, err := p.submit(context.Background(), b1); err != nil {
		t.Fatal(err)
	}
	p.finish(testBatch("b2", 2, 2), time.Minute)
	want := []string{"insert b1", "insert b2"}
	if got := f.calls.get(); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	if n := testutil.ToFloat64(f.metrics.Retries.WithLabelValues("commit")); n != 0 {
		t.Errorf("%v commit retries, want 0", n)
	}
	if n := f.committed.Load(); n != 0 {
		t.Errorf("committed %d records, want 0", n)
	}
	if len(b1.offsets) != 0 {
		t.Errorf("b1 kept %d offsets after its generation ended", len(b1.offsets))
	}
}
