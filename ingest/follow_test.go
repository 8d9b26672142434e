package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

func followEvent(number string, at time.Time, status schemas.Status) schemas.ScanEvent {
	e := schemas.ScanEvent{TrackingNumber: number, Carrier: "ups", Service: "ground", Status: status, EventTime: at,
		Location: schemas.Location{City: "Atlanta", Region: "GA", Country: "US"}}
	e.EventID = schemas.ComputeEventID(&e)
	return e
}

// collector is what a follower applies to, with when it caught up.
type collector struct {
	mu       sync.Mutex
	events   map[string]schemas.ScanEvent
	caughtAt int // how many events were held when caught up, -1 before
}

func (c *collector) apply(events []schemas.ScanEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range events {
		c.events[e.EventID] = e
	}
}

func (c *collector) caughtUp() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.caughtAt = len(c.events)
}

func (c *collector) state() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events), c.caughtAt
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The follower reads every partition from a time on, reports caught up
// once it has read what was there when it began (not before), skips
// records that are not events, and goes on with what is published after.
func TestFollow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := testenv.RandomName("normalized_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	var before []schemas.ScanEvent
	for i := range 300 {
		before = append(before, followEvent(fmt.Sprintf("1Z999AA1%010d", i), t0.Add(time.Duration(i)*time.Minute), schemas.StatusInTransit))
	}
	if err := pub.PublishEvents(ctx, before); err != nil {
		t.Fatal(err)
	}
	raw := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll}
	defer raw.Close()
	if err := raw.WriteMessages(ctx, kafka.Message{Key: []byte("x"), Value: []byte("{not json")},
		kafka.Message{Key: []byte("y"), Value: []byte(`{"event_id":"e","tracking_number":"1"}`)}); err != nil {
		t.Fatal(err)
	}

	f, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{events: map[string]schemas.ScanEvent{}, caughtAt: -1}
	done := make(chan error, 1)
	go func() { done <- f.Follow(ctx, time.Now().Add(-time.Hour), c.apply, c.caughtUp) }()
	waitFor(t, 10*time.Second, "caught up", func() bool { _, at := c.state(); return at >= 0 })
	if n, at := c.state(); at != len(before) || n != len(before) {
		t.Errorf("caught up holding %d events (now %d), want %d", at, n, len(before))
	}
	// Published afterwards: applied.
	after := followEvent("1Z999AA10000000001", t0.Add(time.Hour), schemas.StatusDelivered)
	if err := pub.PublishEvents(ctx, []schemas.ScanEvent{after}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the new event", func() bool { n, _ := c.state(); return n == len(before)+1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Follow: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after cancel")
	}
}

// Records published before the start time are not read; an owned subset
// of partitions reads only those partitions' numbers.
func TestFollowFromTimeAndOwnedPartitions(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := testenv.RandomName("normalized_")
	const parts = 4
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, parts, topic); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	old := []schemas.ScanEvent{followEvent("1Z999AA10000000099", t0, schemas.StatusPickedUp)}
	if err := pub.PublishEvents(ctx, old); err != nil {
		t.Fatal(err)
	}
	// Records are stamped in milliseconds: the cut is a few after the old
	// one, and the new ones come after it.
	cut := time.Now().Add(5 * time.Millisecond)
	waitFor(t, time.Second, "the clock past the cut", func() bool { return time.Now().After(cut) })
	var events []schemas.ScanEvent
	for i := range 200 {
		events = append(events, followEvent(fmt.Sprintf("1Z999AA1%010d", 1000+i), t0, schemas.StatusInTransit))
	}
	if err := pub.PublishEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	own := live.Ownership{Of: parts, Owned: []int{1, 3}}
	f, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partitions: own.Owned, Of: parts})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{events: map[string]schemas.ScanEvent{}, caughtAt: -1}
	go func() { _ = f.Follow(ctx, cut, c.apply, c.caughtUp) }()
	waitFor(t, 10*time.Second, "caught up", func() bool { _, at := c.state(); return at >= 0 })
	want := 0
	for _, e := range events {
		if own.Owns(e.TrackingNumber) {
			want++
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events) != want || want == 0 || want == len(events) {
		t.Errorf("read %d events, want %d of %d", len(c.events), want, len(events))
	}
	for _, e := range c.events {
		if !own.Owns(e.TrackingNumber) {
			t.Errorf("read %s, of partition %d", e.TrackingNumber, live.Partition(e.TrackingNumber, parts))
		}
	}
	if _, ok := c.events[old[0].EventID]; ok {
		t.Error("read an event published before the start time")
	}
	// Ownership of a count the topic does not have is refused.
	bad, _ := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partitions: []int{0}, Of: parts + 1})
	if err := bad.Follow(ctx, cut, c.apply, c.caughtUp); err == nil {
		t.Error("a follower owning partitions of 5 followed a topic of 4")
	}
}

// live.Partition is the partition kafka-go's Hash balancer sends a key
// to: written through a real kafka.Writer, read back per partition.
func TestPartitionMatchesTheHashBalancer(t *testing.T) {
	ctx := context.Background()
	for _, parts := range []int{1, 3, 8, 12} {
		topic := testenv.RandomName("hash_")
		if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, parts, topic); err != nil {
			t.Fatal(err)
		}
		// Acknowledged, so the last offsets read next count every message.
		w := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Topic: topic, Balancer: &kafka.Hash{}, BatchTimeout: time.Millisecond,
			RequiredAcks: kafka.RequireAll}
		var msgs []kafka.Message
		for i := range 400 {
			k := fmt.Sprintf("%d-%x-1Z%08d", i, i*7919, i*104729)
			msgs = append(msgs, kafka.Message{Key: []byte(k), Value: []byte(k)})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
		w.Close()
		seen := 0
		for p := range parts {
			conn, err := kafka.DialLeader(ctx, "tcp", env.Kafka.Brokers[0], topic, p)
			if err != nil {
				t.Fatal(err)
			}
			last, err := conn.ReadLastOffset()
			if err != nil {
				t.Fatal(err)
			}
			conn.Close()
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: p, MaxWait: 100 * time.Millisecond})
			for range last {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				seen++
				if got := live.Partition(string(m.Key), parts); got != p {
					t.Errorf("%d partitions: key %s in partition %d, live.Partition says %d", parts, m.Key, p, got)
				}
			}
			r.Close()
		}
		if seen != len(msgs) {
			t.Errorf("%d partitions: read %d of %d", parts, seen, len(msgs))
		}
	}
}

func FuzzDecodeNormalized(f *testing.F) {
	e := followEvent("1Z999AA10123456784", time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), schemas.StatusDelivered)
	b, _ := jsonMarshal(e)
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"event_id":"x","tracking_number":"1Z999AA10123456784","carrier":"ups","status":"bogus","event_time":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ingest.DecodeNormalized(data)
		if err != nil {
			return
		}
		if e.EventID == "" || e.Validate() != nil {
			t.Fatalf("accepted an invalid event: %+v", e)
		}
		// What is accepted round-trips.
		b, err := jsonMarshal(e)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ingest.DecodeNormalized(b)
		if err != nil {
			t.Fatalf("re-decoding an accepted event: %v", err)
		}
		if b2, _ := jsonMarshal(again); string(b2) != string(b) {
			t.Fatalf("round trip changed the event:\n%s\n%s", b, b2)
		}
	})
}

func jsonMarshal(e schemas.ScanEvent) ([]byte, error) { return json.Marshal(e) }

// A topic that does not exist yet is waited for, not an error.
func TestFollowWaitsForTheTopic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := testenv.RandomName("later_")
	retrying := make(chan struct{}, 100)
	log := slog.New(handlerFunc(func(r slog.Record) {
		if strings.Contains(r.Message, "retrying") {
			retrying <- struct{}{}
		}
	}))
	f, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{events: map[string]schemas.ScanEvent{}, caughtAt: -1}
	done := make(chan error, 1)
	go func() { done <- f.Follow(ctx, time.Now().Add(-time.Minute), c.apply, c.caughtUp) }()
	select {
	case <-retrying: // the topic was missing, and the follower waits
	case <-time.After(10 * time.Second):
		t.Fatal("the follower did not report the missing topic")
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, topic); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "caught up", func() bool { _, at := c.state(); return at >= 0 })
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	if err := pub.PublishEvents(ctx, []schemas.ScanEvent{followEvent("1Z999AA10000000042", time.Now().UTC(), schemas.StatusPickedUp)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the event", func() bool { n, _ := c.state(); return n == 1 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Follow: %v", err)
	}
}

// handlerFunc is a slog handler calling a function for each record.
type handlerFunc func(slog.Record)

func (h handlerFunc) Enabled(context.Context, slog.Level) bool { return true }
func (h handlerFunc) Handle(_ context.Context, r slog.Record) error {
	h(r)
	return nil
}
func (h handlerFunc) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h handlerFunc) WithGroup(string) slog.Handler      { return h }
