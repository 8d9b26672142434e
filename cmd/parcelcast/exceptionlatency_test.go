package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

// BenchmarkExceptionLatency runs serve on a real topic and database and
// publishes b.N customs-hold scans on the normalized topic, one every
// 10 ms; it prints the percentiles of the time from each publish to its
// exception read back from the exceptions topic.
func BenchmarkExceptionLatency(b *testing.B) {
	cfg, _ := env.Database(b)
	path := b.TempDir() + "/m.json"
	if _, err := tinyModel(b).Save(path); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	normalized, excTopic := testenv.RandomName("normalized_"), testenv.RandomName("exceptions_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, normalized, excTopic); err != nil {
		b.Fatal(err)
	}
	api := freeAddr(b)
	sctx, scancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- runServe(sctx, []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
			"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", normalized,
			"--exceptions-topic", excTopic, "--insecure-no-auth", "--sample-predictions=false",
			"--model", path, "--addr", api, "--admin-addr", "", "--log-level", "error"})
	}()
	defer func() {
		scancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	}()
	waitServeReady(b, "http://"+api)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: excTopic, GroupID: testenv.RandomName("lat_"),
		StartOffset: kafka.FirstOffset, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 10 * time.Millisecond})
	defer r.Close()
	sentAt := make(map[string]time.Time, b.N)
	got := make(chan string, b.N)
	go func() {
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				close(got)
				return
			}
			var e schemas.Exception
			if json.Unmarshal(m.Value, &e) == nil {
				got <- e.TrackingNumber
			}
		}
	}()
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
	defer pub.Close()
	now := time.Now().UTC()
	var lat []time.Duration
	arrived := map[string]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		tn := fmt.Sprintf("1ZLAT%09d", i)
		e := schemas.ScanEvent{TrackingNumber: tn, Carrier: "ups", Service: "ground", Status: schemas.StatusException,
			StatusDetail: "customs", EventTime: now, UTCOffsetMinutes: -300, Location: schemas.Location{Country: "US"},
			Source: schemas.Source{IngestedAt: now}}
		e.EventID = schemas.ComputeEventID(&e)
		sentAt[tn] = time.Now()
		if err := pub.PublishEvents(ctx, []schemas.ScanEvent{e}); err != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // the publishing rate, not a wait for a result
	drain:
		for {
			select {
			case n := <-got:
				arrived[n] = time.Now()
			default:
				break drain
			}
		}
	}
	for len(arrived) < b.N {
		select {
		case n, ok := <-got:
			if !ok {
				b.Fatalf("%d of %d exceptions read", len(arrived), b.N)
			}
			arrived[n] = time.Now()
		case <-ctx.Done():
			b.Fatalf("%d of %d exceptions read", len(arrived), b.N)
		}
	}
	b.StopTimer()
	for tn, at := range arrived {
		lat = append(lat, at.Sub(sentAt[tn]))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("exception latency, scan published to exception read on its topic, %d scans: p50 %v, p90 %v, p99 %v, max %v\n",
		len(lat), q(0.5).Round(time.Millisecond), q(0.9).Round(time.Millisecond), q(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
}
