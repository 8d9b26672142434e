package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/carrier/generic"
	"github.com/parcelcast/parcelcast/ingest/sim"
	simpub "github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

var env *testenv.Env

func TestMain(m *testing.M) { testenv.Run(m, &env) }

// feed builds n shipments' scans as generic records, plus malformed ones.
func feed(t *testing.T, shipments int) (good []kafka.Message, distinct int) {
	t.Helper()
	g := sim.New(sim.Config{Seed: 5, Shipments: shipments})
	for {
		s, ok := g.Next()
		if !ok {
			return good, distinct
		}
		for i := range s.Scans {
			v, err := json.Marshal(generic.FromEvent(&s.Scans[i]))
			if err != nil {
				t.Fatal(err)
			}
			good = append(good, kafka.Message{Key: []byte(s.TrackingNumber), Value: v})
			distinct++
		}
	}
}

var malformed = []kafka.Message{
	{Key: []byte("x"), Value: []byte(`{"tracking_number": "1ZBROKEN`)},
	{Key: []byte("y"), Value: []byte(`{"tracking_number":"1Z999AA10123456784","carrier":"ups","status":"beamed_up","event_time":"2026-03-04T09:00:00Z"}`)},
	{Key: []byte("z"), Value: []byte(``)},
}

func publish(t *testing.T, topic string, msgs []kafka.Message) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Topic: topic, Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

// flakyWriter fails its first n calls, then passes batches to the real
// ClickHouse writer.
type flakyWriter struct {
	failures atomic.Int32
	next     ingest.EventWriter
}

func (f *flakyWriter) WriteEvents(ctx context.Context, ev []schemas.ScanEvent) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("injected insert failure")
	}
	return f.next.WriteEvents(ctx, ev)
}

// consume runs a consumer of the generic feed on topic until it committed
// want records.
func consume(t *testing.T, topic, group string, w ingest.EventWriter, want int64) *ingest.Consumer {
	t.Helper()
	return consumeFeeds(t, map[string]string{topic: generic.Name}, topic+".dlq", group, w, nil, want)
}

// consumeFeeds runs a consumer of the topic → feed map until it committed
// want records.
func consumeFeeds(t *testing.T, feeds map[string]string, dlqTopic, group string, w ingest.EventWriter, m *ingest.Metrics, want int64) *ingest.Consumer {
	t.Helper()
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, dlqTopic)
	t.Cleanup(func() { dlq.Close() })
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, group, feeds
	cfg.BatchSize, cfg.FlushInterval, cfg.MaxRetryInterval = 500, 50*time.Millisecond, 50*time.Millisecond
	c, err := ingest.NewConsumer(cfg, w, dlq, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(2 * time.Minute)
	for c.Committed() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("consumer: %v", err)
	}
	if c.Committed() != want {
		t.Fatalf("committed %d records, want %d", c.Committed(), want)
	}
	return c
}

func countFinal(t *testing.T, conn *chstore.DB) (rows, ids uint64) {
	t.Helper()
	rows, ids, err := conn.CountScans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows, ids
}

func TestConsumerWritesCommitsAndDeadLetters(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	topic := testenv.RandomName("scans_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	good, distinct := feed(t, 200)
	all := append(append([]kafka.Message{}, good...), malformed...)
	all = append(all, good[:50]...) // the carrier sent some scans twice
	publish(t, topic, all)

	w := &flakyWriter{next: chstore.NewScanWriter(conn)}
	w.failures.Store(2) // ClickHouse refuses the first two inserts
	consume(t, topic, testenv.RandomName("group_"), w, int64(len(all)))

	rows, ids := countFinal(t, conn)
	if rows != uint64(distinct) || ids != uint64(distinct) {
		t.Fatalf("scan_events FINAL has %d rows / %d ids, want %d distinct scans", rows, ids, distinct)
	}
	lineage, err := conn.CountScansWithLineage(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if lineage != rows {
		t.Errorf("%d of %d rows carry their source topic", lineage, rows)
	}

	// The dead-letter topic holds exactly the malformed records, with reasons.
	got := readDeadLetters(t, topic+".dlq", len(malformed))
	for _, h := range got {
		if h[ingest.HeaderReason] == "" || h[ingest.HeaderTopic] != topic || h[ingest.HeaderOffset] == "" || h[ingest.HeaderFeed] != generic.Name {
			t.Errorf("dead letter lacks lineage headers: %v", h)
		}
	}
	for _, m := range malformed {
		if _, ok := got[string(m.Value)]; !ok {
			t.Errorf("malformed record %q not dead-lettered", m.Value)
		}
	}

	// Replaying the whole topic in a new group adds no rows.
	consume(t, topic, testenv.RandomName("replay_"), chstore.NewScanWriter(conn), int64(len(all)))
	rows2, _ := countFinal(t, conn)
	if rows2 != rows {
		t.Fatalf("replay changed scan_events FINAL from %d to %d rows", rows, rows2)
	}
}

// readDeadLetters reads n records from a dead-letter topic, keyed by value,
// with their headers.
func readDeadLetters(t *testing.T, topic string, n int) map[string]map[string]string {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, GroupID: testenv.RandomName("dlqcheck_"), Topic: topic, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	got := map[string]map[string]string{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for read := 0; read < n; read++ {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read dead letters (have %d of %d): %v", read, n, err)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		got[string(m.Value)] = h
	}
	return got
}

// TestCommitAfterInsert checks that offsets are committed only for written
// records: with ClickHouse refusing every insert, the group's committed
// offsets stay where they were.
func TestCommitAfterInsert(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	topic := testenv.RandomName("scans_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	good, _ := feed(t, 20)
	publish(t, topic, good)
	group := testenv.RandomName("group_")

	w := &flakyWriter{next: chstore.NewScanWriter(conn)}
	w.failures.Store(1 << 30)
	m := ingest.NewMetrics(prometheus.NewRegistry())
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, topic+".dlq")
	defer dlq.Close()
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, group, map[string]string{topic: generic.Name}
	cfg.BatchSize, cfg.FlushInterval, cfg.MaxRetryInterval = 5, 20*time.Millisecond, 20*time.Millisecond
	cfg.ShutdownTimeout = 200 * time.Millisecond
	c, err := ingest.NewConsumer(cfg, w, dlq, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := c.Run(rctx); err != nil {
		t.Fatal(err)
	}
	if c.Committed() != 0 {
		t.Fatalf("committed %d records that were never written", c.Committed())
	}
	// The partition's backlog shows from the moment it was assigned.
	if lag := testutil.ToFloat64(m.Lag.WithLabelValues(topic, "0")); lag != float64(len(good)) {
		t.Errorf("lag %v with nothing written, want %d", lag, len(good))
	}
	if off := committedOffset(t, group, topic); off > 0 {
		t.Fatalf("group committed offset %d with nothing written", off)
	}
	// Once ClickHouse accepts, a new member picks up from the start.
	consume(t, topic, group, chstore.NewScanWriter(conn), int64(len(good)))
	if off := committedOffset(t, group, topic); off != int64(len(good)) {
		t.Fatalf("committed offset %d, want %d", off, len(good))
	}
}

func committedOffset(t *testing.T, group, topic string) int64 {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(env.Kafka.Brokers...), Timeout: 10 * time.Second}
	resp, err := client.OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {0}}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	parts := resp.Topics[topic]
	if len(parts) != 1 {
		t.Fatalf("offset fetch returned %d partitions", len(parts))
	}
	if parts[0].Error != nil {
		t.Fatal(fmt.Errorf("partition %d: %w", parts[0].Partition, parts[0].Error))
	}
	return parts[0].CommittedOffset
}

// The lag gauge reaches zero for every partition once everything is read.
func TestLagPerPartition(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	topic := testenv.RandomName("lag_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	good, _ := feed(t, 100)
	publish(t, topic, good)
	m := ingest.NewMetrics(prometheus.NewRegistry())
	consumeFeeds(t, map[string]string{topic: "generic"}, topic+".dlq", testenv.RandomName("group_"), chstore.NewScanWriter(conn), m, int64(len(good)))
	if n := testutil.CollectAndCount(m.Lag); n != 3 {
		t.Fatalf("lag reported for %d partitions, want 3", n)
	}
	for p := 0; p < 3; p++ {
		if lag := testutil.ToFloat64(m.Lag.WithLabelValues(topic, strconv.Itoa(p))); lag != 0 {
			t.Errorf("partition %d: lag %v after reading everything", p, lag)
		}
	}
}

// When a second member joins, the first stores and commits what it read
// before the group moves on, so the partitions it gives up are not read
// twice: every event is inserted exactly once across the two members.
func TestRebalanceCommitsWhatWasRead(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	topic := testenv.RandomName("rebalance_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 4, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	good, _ := feed(t, 300)
	first, second := good[:len(good)/2], good[len(good)/2:]
	publish(t, topic, first)
	group := testenv.RandomName("group_")
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, topic+".dlq")
	t.Cleanup(func() { dlq.Close() })
	start := func(batch int, flush time.Duration) (*ingest.Consumer, *ingest.Metrics, func()) {
		m := ingest.NewMetrics(prometheus.NewRegistry())
		cfg := ingest.DefaultConfig()
		cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, group, map[string]string{topic: generic.Name}
		cfg.BatchSize, cfg.FlushInterval, cfg.MaxRetryInterval = batch, flush, 50*time.Millisecond
		cfg.SessionTimeout = 6 * time.Second
		c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(rctx) }()
		return c, m, func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("consumer: %v", err)
			}
		}
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	// The first member holds everything it reads: its batch is larger than
	// the topic and flushes only after an hour, or when it gives up its
	// partitions.
	a, ma, stopA := start(100000, time.Hour)
	waitFor("the first member to read the topic", func() bool {
		return testutil.ToFloat64(ma.Records.WithLabelValues(topic)) >= float64(len(first))
	})
	if a.Committed() != 0 {
		t.Fatalf("first member committed %d records before the rebalance", a.Committed())
	}
	_, mb, stopB := start(100, 50*time.Millisecond)
	defer stopB()
	waitFor("the rebalance to store and commit the first member's batch", func() bool { return a.Committed() == int64(len(first)) })
	waitFor("the two members to share the partitions", func() bool {
		return testutil.ToFloat64(ma.Assigned) > 0 && testutil.ToFloat64(mb.Assigned) > 0 &&
			testutil.ToFloat64(ma.Assigned)+testutil.ToFloat64(mb.Assigned) == 4
	})
	if n := testutil.ToFloat64(ma.Rebalances); n < 1 {
		t.Errorf("first member counted %v rebalances", n)
	}

	// The first member still holds what it reads; on shutdown it stores and
	// commits it and leaves, and the second takes over where it stopped.
	publish(t, topic, second)
	stopA()
	waitFor("every record to be stored", func() bool {
		rows, _ := countFinal(t, conn)
		return rows == uint64(len(good))
	})
	// Nothing was read twice: each event was inserted once.
	inserted := testutil.ToFloat64(ma.RowsInserted) + testutil.ToFloat64(mb.RowsInserted)
	if inserted != float64(len(good)) {
		t.Errorf("%v rows inserted for %d events: a partition was read twice", inserted, len(good))
	}
}

// A partition reader that delivers nothing in time while records wait is
// replaced by a new one at the same offset, and nothing is lost or read
// twice. With a stall timeout of a nanosecond, the first readers of every
// partition are replaced (each waits twice as long as the one before).
func TestStalledReaderIsReplaced(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	topic := testenv.RandomName("stall_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 3, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	good, distinct := feed(t, 60)
	publish(t, topic, good)
	m := ingest.NewMetrics(prometheus.NewRegistry())
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, topic+".dlq")
	t.Cleanup(func() { dlq.Close() })
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, testenv.RandomName("group_"), map[string]string{topic: generic.Name}
	cfg.BatchSize, cfg.FlushInterval, cfg.StallTimeout = 100, 50*time.Millisecond, time.Nanosecond
	c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, m, nil)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(rctx) }()
	for deadline := time.Now().Add(time.Minute); c.Committed() < int64(len(good)) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c.Committed() != int64(len(good)) {
		t.Fatalf("committed %d of %d records", c.Committed(), len(good))
	}
	if n := testutil.ToFloat64(m.Retries.WithLabelValues("partition_reader")); n < 3 {
		t.Errorf("%v partition readers replaced, want at least one per partition", n)
	}
	if inserted := testutil.ToFloat64(m.RowsInserted); inserted != float64(distinct) {
		t.Errorf("%v rows inserted for %d scans: a record was read twice", inserted, distinct)
	}
	if rows, ids := countFinal(t, conn); rows != uint64(distinct) || ids != uint64(distinct) {
		t.Errorf("scan_events FINAL has %d rows / %d ids, want %d", rows, ids, distinct)
	}
}

// spanWriter records how much event time each batch spans, from its 10th
// to its 90th percentile (a shipment's scans span its journey, days or
// weeks, and are published together), storing nothing.
type spanWriter struct {
	mu    sync.Mutex
	spans []time.Duration
}

func (w *spanWriter) WriteEvents(_ context.Context, events []schemas.ScanEvent) error {
	times := make([]time.Time, len(events))
	for i := range events {
		times[i] = events[i].EventTime
	}
	slices.SortFunc(times, time.Time.Compare)
	w.mu.Lock()
	w.spans = append(w.spans, times[len(times)*9/10].Sub(times[len(times)/10]))
	w.mu.Unlock()
	return nil
}

// TestBacklogIsReadInStep reads six months of every carrier's scans, a
// backlog, from topics of very different volumes. Read record for record,
// the quiet topics' partitions race months ahead of the busy ones' and
// every batch spans months (one small ClickHouse part per month it
// touches); with the partitions kept in step, a batch spans days.
func TestBacklogIsReadInStep(t *testing.T) {
	ctx := context.Background()
	prefix := testenv.RandomName("step_") + "."
	feeds := simpub.CarrierFeeds(prefix)
	topics := []string{prefix + "dlq"}
	for tp := range feeds.Topics() {
		topics = append(topics, tp)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, topics...); err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, BatchSize: 5000}
	defer w.Close()
	st, err := simpub.All(ctx, w, sim.New(sim.Config{Seed: 11, Shipments: 3000, Days: 180}), feeds, simpub.Options{BatchSize: 5000})
	if err != nil {
		t.Fatal(err)
	}
	// The aligner lets partitions go after a second of silence or 10 s of
	// waiting; under the race detector, with every package's tests at
	// once, a reader can be that slow, and the test would measure the load.
	defer ingest.SetAlignTiming(time.Minute, time.Minute)()
	for _, tc := range []struct {
		name   string
		window time.Duration
		check  func(median time.Duration) bool
		want   string
	}{
		// A batch holds about 4 days' worth of this backlog's records
		// (their scans spread over their journeys).
		{"in step", ingest.DefaultAlignWindow, func(m time.Duration) bool { return m <= 12*24*time.Hour }, "at most 12 days"},
		// The control: without alignment the same backlog must fail the
		// in-step check, or the test shows nothing. Its batches span weeks
		// (a month or more; less when one reader starts late and reads its
		// partition alone at the end, or when the machine is loaded).
		{"unaligned", 0, func(m time.Duration) bool { return m > 12*24*time.Hour }, "more than 12 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var spans spanWriter
			dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, prefix+"dlq")
			defer dlq.Close()
			cfg := ingest.DefaultConfig()
			cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, testenv.RandomName("g"), feeds.Topics()
			cfg.BatchSize, cfg.FlushInterval, cfg.AlignWindow, cfg.CatchUpLag = 500, time.Minute, tc.window, 100
			c, err := ingest.NewConsumer(cfg, &spans, dlq, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			cctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- c.Run(cctx) }()
			deadline := time.Now().Add(2 * time.Minute)
			for c.Committed() < int64(st.Records/500*500) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			spans.mu.Lock()
			defer spans.mu.Unlock()
			if len(spans.spans) < 10 {
				t.Fatalf("%d batches of %d records written", len(spans.spans), st.Records)
			}
			sorted := slices.Clone(spans.spans)
			slices.Sort(sorted)
			median := sorted[len(sorted)/2]
			t.Logf("%d batches; event time spanned per batch: median %v, max %v", len(sorted), median.Round(time.Hour), sorted[len(sorted)-1].Round(time.Hour))
			if !tc.check(median) {
				t.Errorf("median batch spans %v of event time, want %s", median.Round(time.Hour), tc.want)
			}
		})
	}
}

// TestNormalizedEvents publishes canonical events and reads them back:
// each keyed by its tracking number, each value the event's JSON.
func TestNormalizedEvents(t *testing.T) {
	ctx := context.Background()
	topic := testenv.RandomName("normalized_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, topic); err != nil {
		t.Fatal(err)
	}
	g := sim.New(sim.Config{Seed: 8, Shipments: 20})
	var events []schemas.ScanEvent
	for {
		s, ok := g.Next()
		if !ok {
			break
		}
		for _, e := range s.Scans {
			e.EventID = strconv.Itoa(len(events)) // the simulator leaves ids to the parsers
			events = append(events, e)
		}
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	if err := pub.PublishEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	want := map[string]schemas.ScanEvent{}
	for _, e := range events {
		want[e.EventID] = e
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	rctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for range events {
		m, err := r.ReadMessage(rctx)
		if err != nil {
			t.Fatalf("read back: %v (%d of %d events left)", err, len(want), len(events))
		}
		var got schemas.ScanEvent
		if err := json.Unmarshal(m.Value, &got); err != nil {
			t.Fatalf("value %.80q: %v", m.Value, err)
		}
		w, ok := want[got.EventID]
		if !ok {
			t.Fatalf("event %s read back twice or never published", got.EventID)
		}
		delete(want, got.EventID)
		if string(m.Key) != w.TrackingNumber {
			t.Errorf("event %s keyed %q, want its tracking number %q", got.EventID, m.Key, w.TrackingNumber)
		}
		wv, _ := json.Marshal(&w)
		gv, _ := json.Marshal(&got)
		if string(wv) != string(gv) {
			t.Errorf("event %s read back as %s, published %s", got.EventID, gv, wv)
		}
	}
}
