package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// TestCarrierErrorReplies runs carriers' error replies through Kafka and
// the consumer into ClickHouse: an authentication error is a dead letter
// with reason carrier_error:<code> and counted by carrier and code; a
// not-found reply is neither dead-lettered nor counted as an error; a
// FedEx result with an error beside its scans keeps the scans, counts the
// error and is not dead-lettered.
func TestCarrierErrorReplies(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	prefix := testenv.RandomName("replyerr_")
	dlqTopic := prefix + ".dlq"
	feeds := map[string]string{prefix + ".ups": "ups", prefix + ".fedex": "fedex"}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 1, prefix+".ups", prefix+".fedex", dlqTopic); err != nil {
		t.Fatal(err)
	}
	record := func(feed, file string) kafka.Message {
		b, err := os.ReadFile(filepath.Join("carrier", feed, "testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		return kafka.Message{Key: []byte(file), Value: b}
	}
	upsAuth, fedexAuth := record("ups", "error_auth.json"), record("fedex", "error_reply.json")
	publish(t, prefix+".ups", []kafka.Message{record("ups", "not_found.json"), record("ups", "error_reply.json"), upsAuth})
	publish(t, prefix+".fedex", []kafka.Message{record("fedex", "result_error_with_scans.json"), fedexAuth, record("fedex", "not_found.json")})

	m := ingest.NewMetrics(prometheus.NewRegistry())
	consumeFeeds(t, feeds, dlqTopic, testenv.RandomName("group_"), chstore.NewScanWriter(conn), m, 6)

	// Dead letters are written before the offsets are committed: all are
	// in the topic now.
	got := readAllDeadLetters(t, dlqTopic)
	want := map[string]string{string(upsAuth.Value): "carrier_error:250002", string(fedexAuth.Value): "carrier_error:NOT.AUTHORIZED.ERROR"}
	if len(got) != len(want) {
		t.Errorf("%d dead letters, want %d (the two refusals, not the not-found replies)", len(got), len(want))
	}
	for payload, reason := range want {
		h, ok := got[payload]
		switch {
		case !ok:
			t.Errorf("not dead-lettered: %.80q", payload)
		case h[ingest.HeaderReason] != reason || h[ingest.HeaderDetail] == "":
			t.Errorf("dead letter reason %q, detail %q; want %q and the carrier's message", h[ingest.HeaderReason], h[ingest.HeaderDetail], reason)
		}
	}
	for _, c := range []struct {
		carrier, code string
		want          float64
	}{
		{"ups", "250002", 1},
		{"fedex", "NOT.AUTHORIZED.ERROR", 1},
		{"fedex", "TRACKING.TRACKINGNUMBER.EMPTY", 1},
	} {
		if n := testutil.ToFloat64(m.CarrierErrors.WithLabelValues(c.carrier, c.code)); n != c.want {
			t.Errorf("carrier errors {%s, %s} = %v, want %v", c.carrier, c.code, n, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.CarrierErrors); n != 3 {
		t.Errorf("%d carrier error series, want 3", n)
	}
	if n := testutil.ToFloat64(m.NoScans.WithLabelValues("ups")); n != 2 {
		t.Errorf("ups records without scans = %v, want the 2 not-found replies", n)
	}
	if n := testutil.ToFloat64(m.NoScans.WithLabelValues("fedex")); n != 1 {
		t.Errorf("fedex records without scans = %v, want the not-found reply", n)
	}
	if rows, _ := countFinal(t, conn); rows != 1 {
		t.Errorf("%d scans stored, want the one kept beside the FedEx error", rows)
	}
}

// readAllDeadLetters reads a dead-letter topic until it has been quiet for
// a few seconds, keyed by value, with their headers.
func readAllDeadLetters(t *testing.T, topic string) map[string]map[string]string {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Kafka.Brokers, GroupID: testenv.RandomName("dlqcheck_"), Topic: topic, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	got := map[string]map[string]string{}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m, err := r.ReadMessage(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			return got
		}
		if err != nil {
			t.Fatalf("read dead letters: %v", err)
		}
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		got[string(m.Value)] = h
	}
}
