package ingest_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	simpub "github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

var outage = flag.Duration("outage", 30*time.Second, "how long TestClickHouseOutage keeps ClickHouse down")

// TestClickHouseOutage stops the ClickHouse server for -outage (30 s)
// while ingest runs and records keep arriving, then starts it again: no
// offset is committed while it is down, memory stays bounded, ingest
// resumes by itself, and in the end every distinct scan is stored once.
func TestClickHouseOutage(t *testing.T) {
	ctx := context.Background()
	chCfg, conn := env.Database(t)
	// The outage: the local server itself is stopped and started again;
	// a server this run does not own (from the environment, a container)
	// is cut off behind a TCP proxy instead.
	halt, restart := env.ClickHouse.Halt, env.ClickHouse.Restart
	if env.ClickHouse.Backend != localenv.BackendLocal {
		proxy, err := testenv.NewProxy(env.ClickHouse.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer proxy.Close()
		chCfg.Addr = proxy.Addr
		if conn, err = chstore.Open(ctx, chCfg); err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		halt = func() error { proxy.Cut(); return nil }
		restart = func(context.Context) error { return proxy.Restore() }
	}
	topic := testenv.RandomName("outage_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 4, topic, topic+".dlq"); err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	ids := map[string]bool{}
	records := 0
	publish := func(seed uint64, shipments int) {
		t.Helper()
		var rec recorder
		if _, err := simpub.All(ctx, &rec, sim.New(sim.Config{Seed: seed, Shipments: shipments}), simpub.GenericFeeds(topic), simpub.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMessages(ctx, rec.msgs...); err != nil {
			t.Fatal(err)
		}
		parse, _ := ingest.Feed("generic")
		for _, m := range rec.msgs {
			events, _ := parse(m.Value)
			for _, e := range events {
				ids[e.EventID] = true
			}
		}
		records += len(rec.msgs)
	}
	publish(31, 3000)

	m := ingest.NewMetrics(prometheus.NewRegistry())
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, topic+".dlq")
	defer dlq.Close()
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, testenv.RandomName("outage_"), map[string]string{topic: "generic"}
	cfg.BatchSize, cfg.FlushInterval, cfg.MaxRetryInterval = 2000, 100*time.Millisecond, 2*time.Second
	cfg.ShutdownTimeout, cfg.SessionTimeout = 2*time.Second, 6*time.Second
	startConsumer := func() (*ingest.Consumer, func()) {
		c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(runCtx) }() // owned by the test: stopped by the returned func
		return c, func() { stop(); <-done }
	}
	c, stopC := startConsumer()

	for deadline := time.Now().Add(time.Minute); c.Committed() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("nothing committed before the outage")
		}
		time.Sleep(20 * time.Millisecond)
	}
	baseRSS := testenv.MemoryMB(0, "VmRSS")
	if err := halt(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	time.Sleep(2 * time.Second) // the batch in flight fails; nothing more commits from here
	frozen := c.Committed()
	publish(32, 3000) // the carriers keep sending
	peakRSS := baseRSS
	for time.Since(down) < *outage {
		peakRSS = max(peakRSS, testenv.MemoryMB(0, "VmRSS"))
		if c.Committed() != frozen {
			t.Fatalf("offsets committed while ClickHouse was down: %d, then %d", frozen, c.Committed())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := restart(ctx); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	for c.Committed() < int64(records) {
		if time.Since(up) > 2*time.Minute {
			t.Fatalf("after the outage ingest committed %d of %d records", c.Committed(), records)
		}
		time.Sleep(50 * time.Millisecond)
	}
	recovered := time.Since(up)

	// A second, short outage, and this time ingest stops while ClickHouse
	// is down (a deploy, a crash): its final flush fails, and the next
	// consumer of the group must find every record it had read still
	// uncommitted. Committing before the insert loses them here.
	if err := halt(); err != nil {
		t.Fatal(err)
	}
	publish(33, 1000)
	time.Sleep(3 * time.Second) // read, batched, insert failing
	stopC()
	if err := restart(ctx); err != nil {
		t.Fatal(err)
	}
	c2, stopC2 := startConsumer()
	defer stopC2()
	want := int64(records) - c.Committed()
	for c2.Committed() < want {
		if time.Since(up) > 3*time.Minute {
			t.Fatalf("the next consumer committed %d of the %d records left", c2.Committed(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}

	var rows, distinct uint64
	var err error
	for attempt := 0; ; attempt++ { // the test's own pooled connections died with the server
		rows, distinct, err = conn.CountScans(ctx)
		if err == nil || attempt == 5 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rows != uint64(len(ids)) || distinct != rows {
		t.Fatalf("scan_events FINAL has %d rows / %d ids, want %d distinct scans", rows, distinct, len(ids))
	}
	if retries := testutil.ToFloat64(m.Retries.WithLabelValues("insert")); retries == 0 {
		t.Error("no insert retried during the outage")
	}
	if growth := peakRSS - baseRSS; growth > 200 {
		t.Errorf("RSS grew %.0f MB during the outage (from %.0f MB)", growth, baseRSS)
	}
	t.Logf("%d records, down %s, caught up %s after the restart, RSS %.0f → peak %.0f MB",
		records, outage.String(), recovered.Round(time.Millisecond), baseRSS, peakRSS)
}

// recorder keeps what a publisher writes.
type recorder struct{ msgs []kafka.Message }

func (r *recorder) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	r.msgs = append(r.msgs, msgs...)
	return nil
}
