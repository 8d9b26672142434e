package ingest_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

func TestParseTopicPattern(t *testing.T) {
	for _, tc := range []struct {
		expr, err string
	}{
		{`acme\.(?P<feed>[a-z0-9]+)`, ""},
		{`acme\.(?P<feed>ups|fedex)\.scans`, ""},
		{`acme\.[a-z]+`, "no group (?P<feed>...)"},
		{`acme\.(?P<feed>[a-z`, "missing closing ]"},
	} {
		_, err := ingest.ParseTopicPattern(tc.expr)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseTopicPattern(%q) = %v, want an error with %q", tc.expr, err, tc.err)
		}
	}
}

// A topic pattern reads every matching topic with the feed its name gives,
// leaves alone the topics it names no feed for and the excluded ones, and
// picks up a matching topic created while the consumer runs.
func TestTopicPattern(t *testing.T) {
	ctx := context.Background()
	_, conn := env.Database(t)
	prefix := testenv.RandomName("pattern_") + "."
	first, late := prefix+"generic", prefix+"generic.late"
	unknown, excluded := prefix+"nosuchfeed", prefix+"ups"
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, first, unknown, excluded, prefix+"dlq"); err != nil {
		t.Fatal(err)
	}
	good, distinct := feed(t, 60)
	half := len(good) / 2
	publish(t, first, good[:half])
	publish(t, unknown, malformed)  // a feed nobody parses: never read, never dead-lettered
	publish(t, excluded, good[:10]) // read as UPS, generic records would be dead letters

	pattern, err := ingest.ParseTopicPattern(regexp.QuoteMeta(prefix) + `(?P<feed>[a-z0-9]+)(\.late)?`)
	if err != nil {
		t.Fatal(err)
	}
	dlq := ingest.NewKafkaDeadLetters(env.Kafka.Brokers, prefix+"dlq")
	defer dlq.Close()
	cfg := ingest.DefaultConfig()
	cfg.Brokers, cfg.GroupID = env.Kafka.Brokers, testenv.RandomName("group_")
	cfg.Patterns, cfg.Exclude = []ingest.TopicPattern{pattern}, []string{excluded, prefix + "dlq"}
	cfg.TopicRefresh = 200 * time.Millisecond
	cfg.BatchSize, cfg.FlushInterval, cfg.MaxRetryInterval = 500, 50*time.Millisecond, 50*time.Millisecond
	c, err := ingest.NewConsumer(cfg, chstore.NewScanWriter(conn), dlq, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("consumer: %v", err)
		}
	}()
	waitCommitted := func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); c.Committed() < want && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Second) // anything read from a topic it should not read would show by now
		if got := c.Committed(); got != want {
			t.Fatalf("committed %d records, want %d", got, want)
		}
	}
	waitCommitted(int64(half))

	// A topic created later joins at the next refresh.
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, 2, late); err != nil {
		t.Fatal(err)
	}
	publish(t, late, good[half:])
	waitCommitted(int64(len(good)))

	rows, ids := countFinal(t, conn)
	if rows != uint64(distinct) || ids != uint64(distinct) {
		t.Fatalf("scan_events FINAL has %d rows / %d ids, want %d distinct scans", rows, ids, distinct)
	}
	fromLate, err := conn.CountScansFrom(ctx, late)
	if err != nil {
		t.Fatal(err)
	}
	if fromLate != uint64(len(good)-half) {
		t.Errorf("%d rows from the topic created later, want %d", fromLate, len(good)-half)
	}
}
