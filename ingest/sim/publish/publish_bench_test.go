package publish

import (
	"context"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest/sim"
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

// BenchmarkPublish measures generation plus encoding in every carrier's
// own format with the default feed noise, as `parcelcast simulate` does
// before Kafka; scans/s counts records written.
func BenchmarkPublish(b *testing.B) {
	feeds := CarrierFeeds("raw.")
	d := &discard{}
	b.ReportAllocs()
	for b.Loop() {
		st, err := All(context.Background(), d, sim.New(sim.Config{Seed: 1, Shipments: 10000, Days: 365}), feeds, Options{Noise: DefaultNoise, ReuseRecords: true})
		if err != nil || st.Scans == 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(d.n)/b.Elapsed().Seconds(), "scans/s")
	b.ReportMetric(float64(d.bytes)/float64(d.n), "bytes/scan")
}
