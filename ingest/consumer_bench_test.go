package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	simpub "github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

// slowWriter stands for a ClickHouse that takes 80 ms per insert.
type slowWriter struct{}

func (slowWriter) WriteEvents(context.Context, []schemas.ScanEvent) error {
	time.Sleep(80 * time.Millisecond)
	return nil
}

type recordingWriter struct{ msgs []kafka.Message }

func (r *recordingWriter) WriteMessages(_ context.Context, m ...kafka.Message) error {
	r.msgs = append(r.msgs, m...)
	return nil
}

// nopWriter stores nothing, at once: what is left is fetching and parsing.
type nopWriter struct{}

func (nopWriter) WriteEvents(context.Context, []schemas.ScanEvent) error { return nil }

// BenchmarkConsumerSlowInserts measures the consumer on 200 000 carrier
// records when every insert takes 80 ms (a remote or busy ClickHouse):
// the rate from the first commit to the last, with reading and parsing
// overlapping the inserts.
func BenchmarkConsumerSlowInserts(b *testing.B) { benchConsumer(b, slowWriter{}) }

// BenchmarkConsumerNoInserts is the same with inserts that cost nothing:
// how fast the consumer fetches and parses.
func BenchmarkConsumerNoInserts(b *testing.B) { benchConsumer(b, nopWriter{}) }

func benchConsumer(b *testing.B, writer ingest.EventWriter) {
	t := b
	ctx := context.Background()
	prefix := testenv.RandomName("zz_") + "."
	feeds := simpub.CarrierFeeds(prefix)
	var topics []string
	for tp := range feeds.Topics() {
		topics = append(topics, tp)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 4, append(topics, prefix+"dlq")...); err != nil {
		t.Fatal(err)
	}
	var rec recordingWriter
	st, err := simpub.All(ctx, &rec, sim.New(sim.Config{Seed: 3, Shipments: 26000, Days: 365}), feeds, simpub.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, BatchSize: 5000}
	for i := 0; i < len(rec.msgs); i += 5000 {
		if err := w.WriteMessages(ctx, rec.msgs[i:min(i+5000, len(rec.msgs))]...); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, prefix+"dlq")
	defer dlq.Close()
	var records int64
	var busy time.Duration
	for b.Loop() { // each run a new consumer group, reading everything again
		cfg := ingest.DefaultConfig()
		cfg.Brokers, cfg.GroupID, cfg.Feeds = env.Kafka.Brokers, testenv.RandomName("g"), feeds.Topics()
		cfg.BatchSize, cfg.FlushInterval = 5000, 100*time.Millisecond
		c, err := ingest.NewConsumer(cfg, writer, dlq, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(cctx) }()
		for c.Committed() == 0 {
			time.Sleep(time.Millisecond)
		}
		start, from := time.Now(), c.Committed()
		for c.Committed() < int64(st.Records) {
			time.Sleep(5 * time.Millisecond)
		}
		busy += time.Since(start)
		records += int64(st.Records) - from
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	b.ReportMetric(float64(records)/busy.Seconds(), "records/s")
}
