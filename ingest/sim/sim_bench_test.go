package sim

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"
)

// discard counts published messages and drops them.
type discard struct{ n, bytes int }

func (d *discard) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	d.n += len(msgs)
	for _, m := range msgs {
		d.bytes += len(m.Value)
	}
	return nil
}

// BenchmarkGenerate measures journeys and their canonical scans.
func BenchmarkGenerate(b *testing.B) {
	scans := 0
	g := New(Config{Seed: 1, Shipments: 1 << 30, Days: 365})
	b.ReportAllocs()
	for b.Loop() {
		s, _ := g.Next()
		scans += len(s.Scans)
	}
	b.ReportMetric(float64(scans)/b.Elapsed().Seconds(), "scans/s")
}

// BenchmarkPublish measures generation plus encoding in every carrier's
// own format with the default feed noise, as `parcelcast simulate` does
// before Kafka; scans/s counts records written.
func BenchmarkPublish(b *testing.B) {
	feeds := CarrierFeeds("raw.")
	d := &discard{}
	b.ReportAllocs()
	for b.Loop() {
		st, err := Publish(context.Background(), d, New(Config{Seed: 1, Shipments: 10000, Days: 365}), feeds, Options{Noise: DefaultNoise, ReuseRecords: true})
		if err != nil || st.Scans == 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.n)/b.Elapsed().Seconds(), "scans/s")
	b.ReportMetric(float64(d.bytes)/float64(d.n), "bytes/scan")
}
