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
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// serve finds exceptions in what it follows: on the exceptions topic, in
// the table and in GET /v1/exceptions; a restart that replays the topic
// publishes none of them again.
func TestServeExceptions(t *testing.T) {
	cfg, db := env.Database(t)
	path := t.TempDir() + "/m.json"
	if _, err := tinyModel(t).Save(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	normalized, excTopic := testenv.RandomName("normalized_"), testenv.RandomName("exceptions_")
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, normalized); err != nil {
		t.Fatal(err)
	}
	// One partition: the marker the test publishes last is read last.
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, excTopic); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	scan := func(tn string, at time.Time, st schemas.Status, detail string) schemas.ScanEvent {
		e := schemas.ScanEvent{TrackingNumber: tn, Carrier: "ups", Service: "ground", Status: st, StatusDetail: detail,
			EventTime: at, UTCOffsetMinutes: -300, CarrierCode: "X" + string(st), Description: "text",
			Location:    schemas.Location{City: "Atlanta", Region: "GA", Country: "US"},
			Origin:      schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"},
			Destination: schemas.Location{PostalCode: "30301", Region: "GA", Country: "US"},
			Source:      schemas.Source{IngestedAt: now}}
		e.EventID = schemas.ComputeEventID(&e)
		return e
	}
	events := []schemas.ScanEvent{
		scan("1ZCUSTOMS0001", now.Add(-2*time.Hour), schemas.StatusPickedUp, ""),
		scan("1ZCUSTOMS0001", now.Add(-time.Hour), schemas.StatusException, "customs"),
		// Silent for three weeks: stalled and presumed lost.
		scan("1ZSTALLED0001", now.Add(-21*24*time.Hour), schemas.StatusInTransit, ""),
	}
	pub := ingest.NewKafkaEvents(env.Kafka.Brokers, normalized)
	defer pub.Close()

	var base string
	serve := func() (stop func()) {
		api := freeAddr(t)
		sctx, scancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- runServe(sctx, []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
				"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--normalized-topic", normalized,
				"--exceptions-topic", excTopic, "--exception-interval", "100ms", "--insecure-no-auth",
				"--model", path, "--addr", api, "--admin-addr", "", "--log-level", "error"})
		}()
		base = "http://" + api
		waitServeReady(t, base)
		return func() {
			scancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	}
	stop := serve()
	published := time.Now()
	if err := pub.PublishEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"1ZCUSTOMS0001 customs_hold": true, "1ZSTALLED0001 stalled": true, "1ZSTALLED0001 lost": true}
	got := readExceptions(ctx, t, excTopic, len(want))
	t.Logf("%d exceptions on the topic %v after the scans were published", len(got), time.Since(published))
	seen := map[string]bool{}
	for _, e := range got {
		seen[e.TrackingNumber+" "+e.Type] = true
		if e.State != schemas.ExceptionOpen || e.Reason == "" || e.ID == "" {
			t.Errorf("published %+v, want an open exception with its id and reason", e)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s not published (got %v)", k, seen)
		}
	}
	var list predict.ExceptionsResponse
	if code := getExcJSON(t, base+"/v1/exceptions?carrier=ups", &list); code != 200 || len(list.Exceptions) != len(want) {
		t.Errorf("GET /v1/exceptions: %d, %d exceptions, want 200 and %d", code, len(list.Exceptions), len(want))
	}
	var view predict.ShipmentResponse
	if code := getExcJSON(t, base+"/v1/shipments/1ZCUSTOMS0001", &view); code != 200 || len(view.Exceptions) != 1 ||
		view.Exceptions[0].Type != "customs_hold" {
		t.Errorf("shipment view: %d, exceptions %+v, want the customs hold", code, view.Exceptions)
	}
	stop()
	stored := 0
	if err := chstore.NewExceptions(db).Exceptions(ctx, time.Time{}, func(schemas.Exception) error { stored++; return nil }); err != nil {
		t.Fatal(err)
	}
	if stored != len(want) {
		t.Errorf("%d exceptions stored, want %d", stored, len(want))
	}

	// A restart replays the normalized topic (serve is ready once caught
	// up with it, and writes what it found when it stops); nothing is
	// published again.
	stop = serve()
	marker := schemas.Exception{ID: "marker", TrackingNumber: "MARKER"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var again predict.ExceptionsResponse
		if getExcJSON(t, base+"/v1/exceptions", &again); len(again.Exceptions) == len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restarted server does not hold the exceptions")
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := ingest.NewKafkaExceptions(env.Kafka.Brokers, excTopic).PublishExceptions(ctx, []schemas.Exception{marker}); err != nil {
		t.Fatal(err)
	}
	all := readExceptions(ctx, t, excTopic, 0)
	if n := len(all) - 1; n != len(want) {
		t.Errorf("%d exceptions on the topic after a restart, want the %d of the first run", n, len(want))
	}
}

func waitServeReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("serve not ready in 30 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func getExcJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v: %s", url, err, b)
	}
	return resp.StatusCode
}

// readExceptions reads the topic's exceptions: n of them, or with n = 0
// every one up to the marker (the last published).
func readExceptions(ctx context.Context, t *testing.T, topic string, n int) []schemas.Exception {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, Topic: topic, GroupID: testenv.RandomName("read_"),
		StartOffset: kafka.FirstOffset, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	var out []schemas.Exception
	for n == 0 || len(out) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %s after %d: %v", topic, len(out), err)
		}
		var e schemas.Exception
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		if n == 0 && e.ID == "marker" {
			break
		}
	}
	return out
}
