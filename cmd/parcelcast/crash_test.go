package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/parcelcast/parcelcast/ingest"
	"github.com/parcelcast/parcelcast/ingest/sim"
	"github.com/parcelcast/parcelcast/ingest/sim/publish"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
)

// childArgsEnv carries the command line of a child `parcelcast` process.
const childArgsEnv = "PARCELCAST_TEST_CHILD_ARGS"

var (
	crashShipments = flag.Int("crash.shipments", 4000, "shipments the crash test publishes (make test-crash: 30000, over 200k records)")
	crashKills     = flag.Int("crash.kills", 6, "times the crash test kills ingest with SIGKILL (make test-crash: 25)")
)

// recordingWriter writes to Kafka and keeps, for the checks, the event ids
// of every well-formed record and the payloads of the malformed ones.
type recordingWriter struct {
	w         *kafka.Writer
	topics    map[string]string
	mu        sync.Mutex
	ids       map[string]bool
	malformed map[string]bool
	sent      []kafka.Message
}

func (r *recordingWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	if err := r.w.WriteMessages(ctx, msgs...); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		parse, _ := ingest.Feed(r.topics[m.Topic])
		events, err := parse(m.Value)
		if err != nil {
			r.malformed[string(m.Value)] = true
		}
		for _, e := range events {
			r.ids[e.EventID] = true
		}
		r.sent = append(r.sent, m)
	}
	return nil
}

// TestCrashRecovery runs `parcelcast ingest` as a child process and kills
// it with SIGKILL at random moments while carrier feeds (with duplicates,
// noise and a replay of earlier records) are produced, restarting it each
// time. In the end every distinct scan is in ClickHouse exactly once, none
// is missing, the dead-letter topic holds exactly the malformed records,
// and a last SIGTERM makes ingest exit cleanly. It fails when offsets are
// committed before the insert they cover.
// crashPartitions is how many partitions each of the crash test's topics has.
const crashPartitions = 4

func TestCrashRecovery(t *testing.T) {
	ctx := context.Background()
	chCfg, conn := env.Database(t)
	prefix := testenv.RandomName(ingest.RawTopicPrefix+"crash_") + "."
	feeds := publish.CarrierFeeds(prefix)
	dlqTopic, normTopic := prefix+"dlq", prefix+"normalized"
	topics := feeds.Topics()
	all := []string{dlqTopic, normTopic}
	var pairs []string
	for topic, feed := range topics {
		all = append(all, topic)
		pairs = append(pairs, topic+"="+feed)
	}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, crashPartitions, all...); err != nil {
		t.Fatal(err)
	}
	rec := &recordingWriter{w: newScanWriter(env.Kafka.Brokers), topics: topics, ids: map[string]bool{}, malformed: map[string]bool{}}
	defer rec.w.Close()

	// The producer: a simulation with feed noise, then a replay of the
	// first quarter of what it sent, as a carrier resending its backlog.
	produced := make(chan error, 1)
	go func() { // owned by the test: it waits on produced
		cfg := sim.Config{Seed: 77, Shipments: *crashShipments, Days: 20}
		if _, err := publish.All(ctx, rec, sim.New(cfg), feeds, publish.Options{BatchSize: 500, Noise: publish.DefaultNoise}); err != nil {
			produced <- err
			return
		}
		rec.mu.Lock()
		replay := append([]kafka.Message(nil), rec.sent[:len(rec.sent)/4]...)
		rec.mu.Unlock()
		for len(replay) > 0 {
			n := min(500, len(replay))
			if err := rec.w.WriteMessages(ctx, replay[:n]...); err != nil {
				produced <- err
				return
			}
			replay = replay[n:]
		}
		produced <- nil
	}()

	group := testenv.RandomName("crash_")
	args := []string{"ingest",
		"--clickhouse-addr", env.ClickHouse.Addr, "--clickhouse-database", chCfg.Database,
		"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--topics", strings.Join(pairs, ","),
		"--group", group, "--dlq-topic", dlqTopic, "--normalized-topic", normTopic,
		"--batch-size", "2000", "--flush-interval", "100ms", "--shutdown-timeout", "20s", "--session-timeout", "6s", // the broker's minimum
		"--metrics-addr", "", "--log-level", "info", "--log-format", "text"}
	start := func() *exec.Cmd { return startChild(t, args, os.Stderr) }
	count := func() uint64 {
		n, err := conn.CountRows(ctx, "scan_events")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// settled is the row count once it holds still: an insert the killed
	// run sent just before it died may land after it is gone.
	settled := func() uint64 {
		n := count()
		for {
			time.Sleep(300 * time.Millisecond)
			m := count()
			if m == n {
				return n
			}
			n = m
		}
	}
	// Each run is killed at a random moment once it has written something
	// itself (it joined the group and has partitions), so the kills land
	// in the middle of fetching, inserting and committing. A run killed
	// while its JoinGroup waits would meet a fault of the in-process
	// broker: when the group's rebalance completes after that member died
	// and the other member, the leader, syncs, kfake neither expects the
	// dead member's SyncGroup any longer nor starts its session timer (the
	// timer starts when the join response reaches the member), so the dead
	// member keeps its partitions for good and nobody reads them. A Kafka
	// broker expires it after the session timeout.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for i := 0; i < *crashKills; i++ {
		before := settled()
		cmd := start()
		for wait := time.Now().Add(30 * time.Second); count() == before && time.Now().Before(wait); {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
	}
	if err := <-produced; err != nil {
		t.Fatalf("produce: %v", err)
	}

	// The last run catches up; then SIGTERM must end it cleanly.
	final := start()
	wantRows := uint64(len(rec.ids))
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		rows, _, err := conn.CountScans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rows >= wantRows {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // let anything extra arrive before judging
	stopChild(t, final, "ingest")
	rows, ids, err := conn.CountScans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rows != wantRows || ids != wantRows {
		t.Fatalf("after %d kills: scan_events FINAL has %d rows / %d ids, want %d distinct scans; %s",
			*crashKills, rows, ids, wantRows, groupLag(ctx, env.Kafka.Brokers, group, topics))
	}

	// The dead-letter topic: exactly the malformed payloads (a replayed or
	// re-read one may appear more than once).
	got := readAll(t, dlqTopic)
	for p := range rec.malformed {
		if !got[p] {
			t.Errorf("malformed record %.60q missing from the dead-letter topic", p)
		}
	}
	for p := range got {
		if !rec.malformed[p] {
			t.Errorf("well-formed record %.60q in the dead-letter topic", p)
		}
	}
	// The normalized topic: every stored scan, each at least once.
	normalized := map[string]bool{}
	for v := range readAll(t, normTopic) {
		var e struct {
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal([]byte(v), &e); err != nil {
			t.Fatalf("normalized record %.60q: %v", v, err)
		}
		normalized[e.EventID] = true
	}
	if len(normalized) != len(rec.ids) {
		t.Errorf("normalized topic has %d distinct events, want %d", len(normalized), len(rec.ids))
	}
	t.Logf("%d records produced, %d distinct scans, %d malformed, %d kills", len(rec.sent), wantRows, len(rec.malformed), *crashKills)
}

// readAll reads every record of topic (as many as the partitions' high
// watermarks say when called), as a set of values. It uses franz-go's
// client: kafka-go's reader stalls on some of the in-process broker's
// large fetch responses.
func readAll(t *testing.T, topic string) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(env.Kafka.Brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	got := map[string]bool{}
	for n := int64(0); n < total; {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %s: %d of %d records: %v", topic, n, total, err)
		}
		fetches.EachRecord(func(r *kgo.Record) {
			got[string(r.Value)] = true
			n++
		})
	}
	return got
}

// groupLag describes, for a failed run, how far the group's committed
// offsets are from the end of each raw topic: records committed but not
// stored would show no lag, records never consumed would.
func groupLag(ctx context.Context, brokers []string, group string, topics map[string]string) string {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	fetch := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	list := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for topic := range topics {
		for p := range crashPartitions {
			fetch.Topics[topic] = append(fetch.Topics[topic], p)
			list.Topics[topic] = append(list.Topics[topic], kafka.LastOffsetOf(p))
		}
	}
	committed, err := client.OffsetFetch(ctx, fetch)
	if err != nil {
		return "committed offsets: " + err.Error()
	}
	ends, err := client.ListOffsets(ctx, list)
	if err != nil {
		return "end offsets: " + err.Error()
	}
	var b strings.Builder
	b.WriteString("group lag (committed/end):")
	for _, topic := range slices.Sorted(maps.Keys(fetch.Topics)) {
		for p := range crashPartitions {
			c, end := int64(-1), int64(-1)
			for _, o := range committed.Topics[topic] {
				if o.Partition == p {
					c = o.CommittedOffset
				}
			}
			for _, o := range ends.Topics[topic] {
				if o.Partition == p {
					end = o.LastOffset
				}
			}
			fmt.Fprintf(&b, " %s/%d %d/%d", topic[strings.LastIndexByte(topic, '.')+1:], p, c, end)
		}
	}
	return b.String()
}

// startChild runs this test binary as a child process that runs the
// command of args (see childArgsEnv), its standard error to stderr.
func startChild(t *testing.T, args []string, stderr io.Writer) *exec.Cmd {
	t.Helper()
	argv, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(argv))
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// stopChild stops a command the test runs as a child process with
// SIGTERM, as an operator would, and fails unless it exits cleanly
// within 40 s (then it is killed).
func stopChild(t *testing.T, cmd *exec.Cmd, what string) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("%s did not exit cleanly on SIGTERM: %v", what, err)
		}
	case <-time.After(40 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("%s did not exit within 40 s of SIGTERM", what)
	}
}
