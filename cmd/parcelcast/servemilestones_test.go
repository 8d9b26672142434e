package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/schemas"
)

// serve publishes a shipment's milestones on the milestones topic, and
// with --milestones=false runs no emitter.
func TestServeMilestones(t *testing.T) {
	cases := []struct {
		name    string
		enabled bool
	}{
		{"on", true},
		{"off", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := env.Database(t)
			path := t.TempDir() + "/m.json"
			if _, err := tinyModel(t).Save(path); err != nil {
				t.Fatal(err)
			}
			api, admin := freeAddr(t), freeAddr(t)
			ctx, cancel := context.WithCancel(context.Background())
			normalized, topic := testenv.RandomName("normalized_"), testenv.RandomName("milestones_")
			if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, normalized, topic); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				done <- runServe(ctx, []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
					"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", normalized,
					"--milestones-topic", topic, "--milestones=" + map[bool]string{true: "true", false: "false"}[c.enabled],
					"--insecure-no-auth", "--model", path, "--addr", api, "--admin-addr", admin, "--log-level", "error"})
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			}()
			get := func(url string) (int, string) {
				resp, err := http.Get(url)
				if err != nil {
					return 0, err.Error()
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			deadline := time.Now().Add(20 * time.Second)
			for code, _ := get("http://" + api + "/readyz"); code != 200; code, _ = get("http://" + api + "/readyz") {
				if time.Now().After(deadline) {
					t.Fatal("serve not ready in 20 s")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !c.enabled {
				if _, body := get("http://" + admin + "/metrics"); strings.Contains(body, "parcelcast_milestones_") {
					t.Fatal("milestone metrics with --milestones=false")
				}
				return
			}
			pub := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
			defer pub.Close()
			at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
			if err := pub.PublishEvents(ctx, []schemas.ScanEvent{liveScan("1Z999AA10000000042", at, schemas.StatusPickedUp)}); err != nil {
				t.Fatal(err)
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, Partition: 0, MaxWait: 50 * time.Millisecond})
			defer r.Close()
			rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
			defer rcancel()
			m, err := r.ReadMessage(rctx)
			if err != nil {
				t.Fatalf("no milestone read: %v", err)
			}
			var ms schemas.Milestone
			if err := json.Unmarshal(m.Value, &ms); err != nil {
				t.Fatal(err)
			}
			if ms.Kind != schemas.MilestoneShipped || ms.TrackingNumber != "1Z999AA10000000042" || !ms.At.Equal(at) {
				t.Fatalf("milestone %+v", ms)
			}
			deadline = time.Now().Add(20 * time.Second)
			for {
				_, body := get("http://" + admin + "/metrics")
				if strings.Contains(body, `parcelcast_milestones_published_total{carrier="ups",kind="shipped"} 1`) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("metrics without the published milestone:\n%s", grepLines(body, "parcelcast_milestones_"))
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// grepLines is the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
