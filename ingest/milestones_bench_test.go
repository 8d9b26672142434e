package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

// BenchmarkMilestoneLatency publishes scans on the normalized topic one at
// a time, as ingest does (KafkaEvents), each the pickup of a new shipment,
// and times each from the publish to the moment its shipped milestone is
// read from the milestones topic: the live state's follower, the emitter
// and its Kafka publisher in between, as serve runs them.
func BenchmarkMilestoneLatency(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, db := env.Database(b)
	normalized, topic := testenv.RandomName("msnorm_"), testenv.RandomName("ms_")
	const partitions = 6
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, partitions, normalized, topic); err != nil {
		b.Fatal(err)
	}
	p := startMilestones(b, normalized, topic, db)
	defer p.stop()
	p.settle(b)

	read := make(chan schemas.Milestone, 16)
	for part := range partitions {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: part,
			MaxWait: 10 * time.Millisecond})
		defer r.Close()
		go func() { // ends when ctx does
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					return
				}
				var ms schemas.Milestone
				if json.Unmarshal(m.Value, &ms) == nil {
					read <- ms
				}
			}
		}()
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
	defer pub.Close()
	samples := max(b.N, 200)
	lat := make([]time.Duration, 0, samples)
	t0 := time.Now().UTC().Truncate(time.Second)
	b.ResetTimer()
	for i := range samples {
		number := fmt.Sprintf("1Z999AA2%010d", i)
		e := milestoneEvent(number, t0.Add(time.Duration(i)*time.Second), schemas.StatusPickedUp, msOrigin)
		start := time.Now()
		if err := pub.PublishEvents(ctx, []schemas.ScanEvent{e}); err != nil {
			b.Fatal(err)
		}
		timeout := time.After(10 * time.Second)
	wait:
		for {
			select {
			case ms := <-read:
				if ms.TrackingNumber == number {
					lat = append(lat, time.Since(start))
					break wait
				}
			case <-timeout:
				b.Fatalf("milestone of scan %d not read within 10 s", i)
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(int(p*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	fmt.Printf("milestone latency: %d scans published one at a time: publish to milestone read p50 %s, p99 %s, max %s\n",
		len(lat), q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
}
