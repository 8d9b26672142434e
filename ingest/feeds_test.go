package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// TestCarrierFeeds runs every adapter's golden payloads through Kafka and
// the consumer into ClickHouse: each distinct scan is stored once, each
// payload with an error that dead-letters it is in the dead-letter topic
// with its feed and reason, and the unknown-status, no-scan and carrier
// error counters move.
func TestCarrierFeeds(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	prefix := testenv.RandomName("feeds_")
	dlqTopic := prefix + ".dlq"
	feeds := map[string]string{}
	var (
		records       int64
		wantIDs       = map[string]bool{}
		wantDLQ       = map[string]string{} // payload → reason
		noScans       = map[string]float64{}
		topics        = []string{dlqTopic}
		unknownBy     = map[string]float64{}
		carrierErrors = map[[2]string]float64{} // carrier and code label → count
	)
	for _, feed := range ingest.FeedNames() {
		topic := prefix + "." + feed
		feeds[topic] = feed
		topics = append(topics, topic)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, topics...); err != nil {
		t.Fatal(err)
	}
	for _, feed := range ingest.FeedNames() {
		parse, _ := ingest.Feed(feed)
		files, _ := filepath.Glob(filepath.Join("carrier", feed, "testdata", "*.*"))
		var msgs []kafka.Message
		for _, f := range files {
			if strings.HasSuffix(f, ".golden") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			events, perr := parse(b)
			for _, e := range events {
				wantIDs[e.EventID] = true
				if e.Status == "unknown" {
					unknownBy[e.Carrier]++
				}
			}
			replies, _ := carrier.ReplyErrors(perr)
			for _, r := range replies {
				carrierErrors[[2]string{r.Carrier, r.Label()}]++
			}
			switch {
			case carrier.DeadLetters(perr):
				wantDLQ[string(b)] = ingest.Reason(perr)
			case perr == nil && len(events) == 0:
				noScans[feed]++
			}
			msgs = append(msgs, kafka.Message{Key: []byte(filepath.Base(f)), Value: b})
		}
		if len(msgs) == 0 {
			t.Fatalf("no testdata payloads for feed %s", feed)
		}
		publish(t, prefix+"."+feed, msgs)
		records += int64(len(msgs))
	}

	m := ingest.NewMetrics(prometheus.NewRegistry())
	consumeFeeds(t, feeds, dlqTopic, testenv.RandomName("group_"), chstore.NewScanWriter(conn), m, records)

	rows, ids := countFinal(t, conn)
	if rows != uint64(len(wantIDs)) || ids != uint64(len(wantIDs)) {
		t.Errorf("scan_events FINAL has %d rows / %d ids, want %d distinct scans", rows, ids, len(wantIDs))
	}
	got := readDeadLetters(t, dlqTopic, len(wantDLQ))
	for payload, reason := range wantDLQ {
		h, ok := got[payload]
		if !ok {
			t.Errorf("payload with an error not dead-lettered: %.80q", payload)
			continue
		}
		feed := feeds[h[ingest.HeaderTopic]]
		if feed == "" || h[ingest.HeaderFeed] != feed || h[ingest.HeaderReason] != reason || !strings.HasPrefix(h[ingest.HeaderTopic], prefix) {
			t.Errorf("dead letter has headers %v, want reason %q", h, reason)
		}
	}
	for k, n := range carrierErrors {
		if got := testutil.ToFloat64(m.CarrierErrors.WithLabelValues(k[0], k[1])); got != n {
			t.Errorf("carrier errors {%s, %s} = %v, want %v", k[0], k[1], got, n)
		}
	}
	if len(carrierErrors) == 0 {
		t.Error("no testdata payload is a carrier error reply")
	}
	for carrier, n := range unknownBy {
		if got := testutil.ToFloat64(m.UnknownStatus.WithLabelValues(carrier)); got != n {
			t.Errorf("unknown-status counter for %s = %v, want %v", carrier, got, n)
		}
	}
	if len(unknownBy) == 0 {
		t.Error("no testdata payload has an unknown carrier code")
	}
	for feed, n := range noScans {
		if got := testutil.ToFloat64(m.NoScans.WithLabelValues(feed)); got != n {
			t.Errorf("records-without-scans counter for %s = %v, want %v", feed, got, n)
		}
	}
}
