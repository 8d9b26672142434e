package webhooks

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receiver is an httptest endpoint answering from a script of status
// codes (the last repeats), recording what it got.
type receiver struct {
	mu      sync.Mutex
	script  []int
	headers []http.Header
	bodies  [][]byte
	times   []time.Time
	after   string // Retry-After on failures
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.headers)
	r.headers = append(r.headers, req.Header.Clone())
	r.bodies = append(r.bodies, body)
	r.times = append(r.times, time.Now())
	code := r.script[min(n, len(r.script)-1)]
	r.mu.Unlock()
	if code >= 300 && r.after != "" {
		w.Header().Set("Retry-After", r.after)
	}
	w.WriteHeader(code)
}

func (r *receiver) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.headers)
}

func testConfig() Config {
	return Config{Schedule: []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond},
		Jitter: 0.01, Timeout: 5 * time.Second, Safety: Safety{AllowPrivate: true}}
}

func newSub(t *testing.T, url string) Subscription {
	t.Helper()
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return Subscription{ID: "sub1", URL: url, EventTypes: []string{"milestone.delivered"}, Secret: secret}
}

func TestDeliver(t *testing.T) {
	for _, tc := range []struct {
		name       string
		script     []int
		after      string
		calls      int
		dead       bool
		disabled   bool
		minElapsed time.Duration
	}{
		{"first try", []int{200}, "", 1, false, false, 0},
		{"retried until it succeeds", []int{500, 503, 204}, "", 3, false, false, 0},
		{"retries run out: dead-lettered", []int{500}, "", 4, true, false, 0},
		{"410 disables at once", []int{410}, "", 1, true, true, 0},
		{"Retry-After honoured", []int{429, 200}, "1", 2, false, false, time.Second},
		{"timeout-like 408 retried", []int{408, 200}, "", 2, false, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rcv := &receiver{script: tc.script, after: tc.after}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			sub := newSub(t, srv.URL)
			store := newMemStore(sub)
			d := NewDispatcher(store, testConfig(), nil, nil)
			ev := Event{ID: "milestone:abc", Type: "milestone.delivered", Body: []byte(`{"x":1}`), Detected: time.Now()}
			start := time.Now()
			if err := d.Deliver(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if got := rcv.calls(); got != tc.calls {
				t.Fatalf("%d calls, want %d", got, tc.calls)
			}
			if got := len(store.deadLetters()) == 1; got != tc.dead {
				t.Fatalf("dead-lettered %v, want %v (%v)", got, tc.dead, store.deadLetters())
			}
			if _, got := store.disabled[sub.ID]; got != tc.disabled {
				t.Fatalf("disabled %v, want %v", got, tc.disabled)
			}
			if el := time.Since(start); el < tc.minElapsed {
				t.Fatalf("retried after %s, the endpoint asked for %s", el, tc.minElapsed)
			}
			// Every attempt: the same webhook-id, a valid signature.
			want := MessageID(ev.ID, sub.ID)
			for i, h := range rcv.headers {
				if h.Get(HeaderID) != want {
					t.Fatalf("attempt %d: webhook-id %q, want %q", i, h.Get(HeaderID), want)
				}
				if err := Verify([]string{sub.Secret}, h, rcv.bodies[i], DefaultTolerance); err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
		})
	}
}

func TestDeliverDisablesAfterDaysOfFailures(t *testing.T) {
	rcv := &receiver{script: []int{500}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	sub := newSub(t, srv.URL)
	store := newMemStore(sub)
	cfg := testConfig()
	cfg.DisableAfter = 48 * time.Hour
	d := NewDispatcher(store, cfg, nil, nil)
	clock := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	d.now = func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(10 * time.Hour); return clock }
	ev := Event{ID: "milestone:abc", Type: "milestone.delivered", Body: []byte(`{}`)}
	for i := 0; i < 3 && store.disabled[sub.ID] == ""; i++ {
		if err := d.Deliver(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if store.disabled[sub.ID] == "" {
		t.Fatal("an endpoint failing for days stays enabled")
	}
}

func TestDeliverMatchesFilters(t *testing.T) {
	rcv := &receiver{script: []int{200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	sub := newSub(t, srv.URL)
	sub.Carriers, sub.OrderRefs = []string{"ups"}, []string{"ORD-1"}
	d := NewDispatcher(newMemStore(sub), testConfig(), nil, nil)
	for _, ev := range []Event{
		{ID: "1", Type: "milestone.delivered", Carrier: "ups", OrderRef: "ORD-1"},
		{ID: "2", Type: "milestone.shipped", Carrier: "ups", OrderRef: "ORD-1"},
		{ID: "3", Type: "milestone.delivered", Carrier: "fedex", OrderRef: "ORD-1"},
		{ID: "4", Type: "milestone.delivered", Carrier: "ups", OrderRef: "ORD-2"},
	} {
		if err := d.Deliver(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := rcv.calls(); got != 1 {
		t.Fatalf("%d deliveries, want only the matching one", got)
	}
}

func TestReplayDeliversQueuedDeadLetters(t *testing.T) {
	rcv := &receiver{script: []int{500, 500, 500, 500, 200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	sub := newSub(t, srv.URL)
	store := newMemStore(sub)
	d := NewDispatcher(store, testConfig(), nil, nil)
	ev := Event{ID: "milestone:abc", Type: "milestone.delivered", Body: []byte(`{"x":1}`)}
	if err := d.Deliver(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	dl := store.deadLetters()[0]
	dl.State = DeadLetterQueued
	_ = store.PutDeadLetter(context.Background(), dl)
	if err := d.Replay(context.Background()); err != nil {
		t.Fatal(err)
	}
	all := store.deadLetters()
	if last := all[len(all)-1]; last.State != DeadLetterDelivered {
		t.Fatalf("replayed dead letter is %s", last.State)
	}
	if h := rcv.headers[len(rcv.headers)-1]; h.Get(HeaderID) != MessageID(ev.ID, sub.ID) {
		t.Fatal("the replay changed the webhook-id")
	}
}

func TestDeliverRefusesLoopbackWithoutTheFlag(t *testing.T) {
	rcv := &receiver{script: []int{200}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	store := newMemStore(newSub(t, srv.URL))
	cfg := testConfig()
	cfg.Safety.AllowPrivate = false
	d := NewDispatcher(store, cfg, nil, nil)
	if err := d.Deliver(context.Background(), Event{ID: "1", Type: "milestone.delivered"}); err != nil {
		t.Fatal(err)
	}
	if rcv.calls() != 0 || len(store.deadLetters()) != 1 {
		t.Fatalf("loopback endpoint called %d times", rcv.calls())
	}
}

func TestDeliverStopsWithContext(t *testing.T) {
	rcv := &receiver{script: []int{500}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	store := newMemStore(newSub(t, srv.URL))
	cfg := testConfig()
	cfg.Schedule = []time.Duration{time.Hour}
	d := NewDispatcher(store, cfg, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Deliver(ctx, Event{ID: "1", Type: "milestone.delivered"}) }()
	deadline := time.Now().Add(10 * time.Second)
	for rcv.calls() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an unfinished delivery reported done: its offset would be committed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Deliver did not stop with its context")
	}
	if len(store.deadLetters()) != 0 {
		t.Fatal("a delivery cut short was dead-lettered")
	}
}
