package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/internal/localenv"
	"github.com/parcelcast/parcelcast/internal/testenv"
	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

// hookReceiver is a webhook endpoint on loopback: it checks every
// delivery's signature with its own reading of the specification, and
// records each webhook-id with when it first arrived.
type hookReceiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	first  map[string]time.Time // webhook-id → first arrival
	bodies map[string][]byte
	calls  int
	bad    int
	// fail answers 503 to the first deliveries of every id, so a retry
	// is needed.
	fail int
	seen map[string]int
}

func newHookReceiver(t *testing.T, secret string) *hookReceiver {
	return &hookReceiver{t: t, secret: secret, first: map[string]time.Time{}, bodies: map[string][]byte{}, seen: map[string]int{}}
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	id, ts, sigs := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	ok := slices.Contains(strings.Fields(sigs), want) && webhooks.Verify([]string{h.secret}, r.Header, body, webhooks.DefaultTolerance) == nil
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if !ok {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.seen[id]++
	if h.seen[id] <= h.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if _, dup := h.first[id]; !dup {
		h.first[id], h.bodies[id] = now, body
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.first)
}

// notifyTestSetup makes the topics, a migrated database and a
// subscription to a receiver on loopback.
func notifyTestSetup(t *testing.T, partitions int) (chstore.Config, shipmentTopics, *hookReceiver, webhooks.Subscription) {
	t.Helper()
	ctx := context.Background()
	cfg, db := env.Database(t)
	prefix := testenv.RandomName("notify_")
	topics := shipmentTopics{prefix + ".milestones", prefix + ".exceptions"}
	if err := localenv.EnsureTopics(ctx, env.Kafka.Brokers, partitions, topics.milestones, topics.exceptions); err != nil {
		t.Fatal(err)
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	rcv := newHookReceiver(t, secret)
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	now := time.Now().UTC()
	sub := webhooks.Subscription{ID: "wh_00000000000000000000000000000001", URL: srv.URL + "/hooks",
		EventTypes: webhooks.EventTypes(), Secret: secret, CreatedAt: now, UpdatedAt: now}
	if err := chstore.NewWebhooks(db).PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	return cfg, topics, rcv, sub
}

func notifyArgs(cfg chstore.Config, topics shipmentTopics, group string) []string {
	return []string{"--clickhouse-addr", cfg.Addr, "--clickhouse-database", cfg.Database,
		"--kafka-brokers", strings.Join(env.Kafka.Brokers, ","), "--group", group,
		"--milestones-topic", topics.milestones, "--exceptions-topic", topics.exceptions,
		"--allow-private-endpoints", "--admin-addr", "", "--replay-interval", "200ms", "--log-format", "text", "--log-level", "warn"}
}

func testMilestone(i int) schemas.Milestone {
	kinds := webhooks.MilestoneKinds
	at := time.Now().UTC().Truncate(time.Second)
	tn := fmt.Sprintf("1Z999AA1%010d", i/len(kinds))
	return schemas.Milestone{ID: fmt.Sprintf("%s|%s", tn, kinds[i%len(kinds)]), Kind: kinds[i%len(kinds)], TrackingNumber: tn,
		Carrier: "ups", ShipmentStart: at.Add(-48 * time.Hour), At: at, DetectedAt: time.Now().UTC()}
}

func newEventWriter(topic string) *kafka.Writer {
	return &kafka.Writer{Addr: kafka.TCP(env.Kafka.Brokers...), Topic: topic, Balancer: &kafka.Hash{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
}

func publishJSON(t *testing.T, w *kafka.Writer, key string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte(key), Value: b}); err != nil {
		t.Fatal(err)
	}
}

func waitCount(t *testing.T, what string, want int, get func() int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for get() < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d of %d within %s", what, get(), want, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNotifyEndToEnd publishes milestones and exceptions on kfake and
// checks a receiver on loopback gets each, signed; it measures milestone
// → receiver latency.
func TestNotifyEndToEnd(t *testing.T) {
	cfg, topics, rcv, sub := notifyTestSetup(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runNotify(ctx, notifyArgs(cfg, topics, testenv.RandomName("notify_"))) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("notify: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("notify did not stop")
		}
	}()
	mw, ew := newEventWriter(topics.milestones), newEventWriter(topics.exceptions)
	defer mw.Close()
	defer ew.Close()

	// One first event: the consumer group is joined once it arrives.
	publishJSON(t, mw, "warmup", testMilestone(0))
	waitCount(t, "warm-up event", 1, rcv.count, time.Minute)

	const milestones, exceptions = 200, 20
	sent := map[string]time.Time{} // webhook-id → detected
	for i := 1; i <= milestones; i++ {
		m := testMilestone(i)
		publishJSON(t, mw, m.TrackingNumber, m)
		sent[webhooks.MessageID("milestone:"+m.ID, sub.ID)] = m.DetectedAt
	}
	for i := range exceptions {
		opened := time.Now().UTC()
		e := schemas.Exception{ID: fmt.Sprintf("exc-%d", i), Type: webhooks.ExceptionTypes[i%len(webhooks.ExceptionTypes)],
			State: schemas.ExceptionOpen, TrackingNumber: fmt.Sprintf("1Z999AA2%010d", i), Carrier: "fedex",
			Reason: "no scan for 3 days", OpenedAt: opened}
		publishJSON(t, ew, e.TrackingNumber, e)
	}
	// A record that is no event is skipped, not a reason to stop.
	publishJSON(t, mw, "junk", map[string]string{"hello": "world"})
	waitCount(t, "deliveries", 1+milestones+exceptions, rcv.count, 2*time.Minute)

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.bad > 0 {
		t.Fatalf("%d deliveries with a bad signature", rcv.bad)
	}
	var lat []time.Duration
	for id, detected := range sent {
		got, ok := rcv.first[id]
		if !ok {
			t.Fatalf("milestone %s never arrived", id)
		}
		lat = append(lat, got.Sub(detected))
		var p struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(rcv.bodies[id], &p); err != nil || !strings.HasPrefix(p.Type, "milestone.") {
			t.Fatalf("body %s: %v", rcv.bodies[id], err)
		}
	}
	slices.Sort(lat)
	t.Logf("milestone → receiver over %d: p50 %s, p99 %s, max %s", len(lat), lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
}

// TestNotifyDeadLettersAndReplay runs notify against an endpoint that
// fails everything: the deliveries are dead-lettered in ClickHouse and
// the offsets committed; once the endpoint is mended, a replay delivers
// them under their webhook-id. A second endpoint answering 410 is
// disabled.
func TestNotifyDeadLettersAndReplay(t *testing.T) {
	ctx := context.Background()
	cfg, topics, rcv, sub := notifyTestSetup(t, 2)
	rcv.fail = 1 << 30 // every delivery fails until mended
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
	defer gone.Close()
	db, err := chstore.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := chstore.NewWebhooks(db)
	goneSub := sub
	goneSub.ID, goneSub.URL = "wh_00000000000000000000000000000002", gone.URL
	if err := store.PutSubscription(ctx, goneSub); err != nil {
		t.Fatal(err)
	}
	nctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	args := append(notifyArgs(cfg, topics, testenv.RandomName("notify_dl_")), "--retry-schedule", "10ms,20ms")
	go func() { done <- runNotify(nctx, args) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("notify: %v", err)
		}
	}()
	mw := newEventWriter(topics.milestones)
	defer mw.Close()
	const events = 5
	for i := range events {
		m := testMilestone(i)
		publishJSON(t, mw, m.TrackingNumber, m)
	}
	dead := func() int {
		dls, err := store.DeadLetters(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(dls)
	}
	waitCount(t, "dead letters", events, dead, time.Minute)
	waitCount(t, "410 endpoint disabled", 1, func() int {
		s, _, err := store.Subscription(ctx, goneSub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Disabled {
			return 1
		}
		return 0
	}, time.Minute)
	if rcv.count() != 0 {
		t.Fatal("a failing endpoint counted as delivered")
	}
	// Mended, then replayed.
	rcv.mu.Lock()
	rcv.fail = 0
	rcv.mu.Unlock()
	if n, err := store.Replay(ctx, sub.ID, time.Now()); err != nil || n != events {
		t.Fatalf("replay queued %d, %v", n, err)
	}
	waitCount(t, "replayed deliveries", events, rcv.count, time.Minute)
	waitCount(t, "dead letters marked delivered", events, func() int {
		dls, err := store.DeadLetters(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, dl := range dls {
			if dl.State == schemas.DeadLetterDelivered {
				n++
			}
		}
		return n
	}, time.Minute)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for i := range events {
		id := webhooks.MessageID("milestone:"+testMilestone(i).ID, sub.ID)
		if rcv.seen[id] != 4 { // three attempts, then the replay
			t.Fatalf("%s: %d deliveries, want 3 failed and 1 replayed", id, rcv.seen[id])
		}
	}
}
