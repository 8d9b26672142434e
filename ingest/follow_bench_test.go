package ingest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/predict/live"
	"github.com/parcelcast/parcelcast/schemas"
)

// BenchmarkLiveFreshness publishes scans on the normalized topic one at a
// time, as ingest does (KafkaEvents), and times each from the publish to
// the moment the live state holds it (its OnChange call): the delay before
// the API answers with it.
func BenchmarkLiveFreshness(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	topic := testenv.RandomName("fresh_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 6, topic); err != nil {
		b.Fatal(err)
	}
	changed := make(chan time.Time, 1)
	fol, err := ingest.NewFollower(ingest.FollowConfig{Brokers: env.Kafka.Brokers, Topic: topic})
	if err != nil {
		b.Fatal(err)
	}
	s, err := live.New(live.Options{Stream: fol, OnChange: func(predict.Shipment) { changed <- time.Now() }})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Run(ctx) }() // ends with ctx
	deadline := time.Now().Add(30 * time.Second)
	for s.Ready() != nil {
		if time.Now().After(deadline) {
			b.Fatal("the store did not catch up")
		}
		time.Sleep(time.Millisecond)
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, topic)
	defer pub.Close()
	samples := max(b.N, 200)
	lat := make([]time.Duration, 0, samples)
	t0 := time.Now().UTC().Truncate(time.Second)
	b.ResetTimer()
	for i := range samples {
		e := followEvent(fmt.Sprintf("1Z999AA1%010d", i%1000), t0.Add(time.Duration(i)*time.Second), schemas.StatusInTransit)
		start := time.Now()
		if err := pub.PublishEvents(ctx, []schemas.ScanEvent{e}); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-changed:
			lat = append(lat, at.Sub(start))
		case <-time.After(10 * time.Second):
			b.Fatalf("scan %d not applied within 10 s", i)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(int(p*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	fmt.Printf("live freshness: %d scans published one at a time: publish to held p50 %s, p99 %s, max %s\n",
		len(lat), q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}
