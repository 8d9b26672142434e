package predict

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/predict/webhooks"
	"github.com/parcelcast/parcelcast/schemas"
)

// memWebhooks is a WebhookStore in memory.
type memWebhooks struct {
	mu      sync.Mutex
	subs    map[string]schemas.WebhookSubscription
	dead    map[string]int // dead letters per subscription
	replays map[string]int
	failing bool
	failID  string // a lookup of it fails
}

// The subscriptions every test server holds.
const (
	testWebhookID   = "wh_00000000000000000000000000000001"
	deleteWebhookID = "wh_00000000000000000000000000000002"
	unknownWebhook  = "wh_0000000000000000000000000000ffff"
	failingWebhook  = "wh_00000000000000000000000000000bad"
)

func newMemWebhooks() *memWebhooks {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	m := &memWebhooks{subs: map[string]schemas.WebhookSubscription{}, dead: map[string]int{}, replays: map[string]int{}, failID: failingWebhook}
	for _, id := range []string{testWebhookID, deleteWebhookID} {
		m.subs[id] = schemas.WebhookSubscription{ID: id, URL: "https://93.184.215.14/hooks", EventTypes: []string{"milestone.delivered"},
			Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedAt: t0, UpdatedAt: t0}
	}
	m.dead[testWebhookID] = 3
	return m
}

func (m *memWebhooks) PutSubscription(_ context.Context, s schemas.WebhookSubscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing {
		return errors.New("store down")
	}
	m.subs[s.ID] = s
	return nil
}

func (m *memWebhooks) Subscriptions(context.Context) ([]schemas.WebhookSubscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []schemas.WebhookSubscription
	for _, s := range m.subs {
		if !s.Deleted {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memWebhooks) Subscription(_ context.Context, id string) (schemas.WebhookSubscription, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id == m.failID {
		return schemas.WebhookSubscription{}, false, errors.New("store down")
	}
	s, ok := m.subs[id]
	return s, ok && !s.Deleted, nil
}

func (m *memWebhooks) Replay(_ context.Context, id string, _ time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.dead[id]
	m.dead[id] = 0
	m.replays[id] += n
	return n, nil
}

// newWebhookServer is a server over a webhook store, with testKeys when
// keyed; private addresses are allowed only when asked.
func newWebhookServer(t *testing.T, store WebhookStore, keyed, allowPrivate bool) *Server {
	t.Helper()
	base := newTestServer(t)
	opts := Options{Now: base.now, Webhooks: store, WebhookSafety: webhooks.Safety{AllowPrivate: allowPrivate}}
	if keyed {
		opts.Keys = testKeys(t)
	}
	return NewServer(base.shipments, base.Model(), opts)
}

func TestWebhookLifecycle(t *testing.T) {
	store := newMemWebhooks()
	s := newWebhookServer(t, store, false, true)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	rec := do("POST", "/v1/webhooks", `{"url":"http://127.0.0.1:9/hooks","event_types":["milestone.delivered","exception.late","milestone.delivered"],"filters":{"carriers":["ups"],"order_refs":["ORD-1"]}}`)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	created := decode(t, rec)
	id, secret := created["id"].(string), created["secret"].(string)
	if _, err := webhooks.SecretKey(secret); err != nil || !webhookID.MatchString(id) {
		t.Fatalf("created %v", created)
	}
	if types := created["event_types"].([]any); len(types) != 2 {
		t.Fatalf("event types not deduplicated: %v", types)
	}
	if rec.Header().Get("Location") != "/v1/webhooks/"+id {
		t.Fatalf("Location %q", rec.Header().Get("Location"))
	}
	got := decode(t, do("GET", "/v1/webhooks/"+id, ""))
	if _, shown := got["secret"]; shown {
		t.Fatal("the secret is shown again after its creation")
	}
	rec = do("POST", "/v1/webhooks/"+id+"/rotate", "")
	rot := decode(t, rec)
	if rec.Code != 200 || rot["secret"] == secret || rot["previous_secret_expires_at"] == nil {
		t.Fatalf("rotate: %d %v", rec.Code, rot)
	}
	stored, _, _ := store.Subscription(context.Background(), id)
	if got := webhooks.SigningSecrets(stored, s.now()); len(got) != 2 || got[1] != secret {
		t.Fatalf("during the grace period the deliveries are signed by %d secrets", len(got))
	}
	list := decode(t, do("GET", "/v1/webhooks", ""))
	if n := len(list["webhooks"].([]any)); n != 3 {
		t.Fatalf("%d webhooks listed", n)
	}
	if rec := do("DELETE", "/v1/webhooks/"+id, ""); rec.Code != 200 || decode(t, rec)["deleted"] != true {
		t.Fatalf("delete: %d", rec.Code)
	}
	if rec := do("GET", "/v1/webhooks/"+id, ""); rec.Code != 404 {
		t.Fatalf("deleted webhook: %d", rec.Code)
	}
	// Replay: re-queues the dead letters and enables a disabled endpoint.
	sub := store.subs[testWebhookID]
	sub.Disabled, sub.DisabledReason = true, "410 Gone"
	store.subs[testWebhookID] = sub
	rec = do("POST", "/v1/webhooks/"+testWebhookID+"/replay", "")
	if rep := decode(t, rec); rec.Code != 202 || rep["queued"].(float64) != 3 || store.subs[testWebhookID].Disabled {
		t.Fatalf("replay: %d %v", rec.Code, rep)
	}
}

func TestWebhookRequestsRefused(t *testing.T) {
	store := newMemWebhooks()
	strict := newWebhookServer(t, store, false, false)
	keyed := newWebhookServer(t, store, true, true)
	none := newWebhookServer(t, nil, false, true)
	const good = `{"url":"https://93.184.215.14/hooks","event_types":["milestone.delivered"]}`
	for _, tc := range []struct {
		name         string
		s            *Server
		method, path string
		body, token  string
		code         int
	}{
		{"public address", strict, "POST", "/v1/webhooks", good, "", 201},
		{"no url", strict, "POST", "/v1/webhooks", `{"event_types":["milestone.delivered"]}`, "", 400},
		{"relative url", strict, "POST", "/v1/webhooks", `{"url":"/hooks","event_types":["milestone.delivered"]}`, "", 400},
		{"ftp url", strict, "POST", "/v1/webhooks", `{"url":"ftp://93.184.215.14/x","event_types":["milestone.delivered"]}`, "", 400},
		{"no event types", strict, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":[]}`, "", 400},
		{"unknown event type", strict, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":["milestone.teleported"]}`, "", 422},
		{"loopback", strict, "POST", "/v1/webhooks", `{"url":"http://127.0.0.1:8080/hooks","event_types":["milestone.delivered"]}`, "", 422},
		{"private", strict, "POST", "/v1/webhooks", `{"url":"http://10.0.0.7/hooks","event_types":["milestone.delivered"]}`, "", 422},
		{"metadata address", strict, "POST", "/v1/webhooks", `{"url":"http://169.254.169.254/","event_types":["milestone.delivered"]}`, "", 422},
		{"empty order ref filter", strict, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":["milestone.delivered"],"filters":{"order_refs":[""]}}`, "", 400},
		{"unknown field", strict, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":["milestone.delivered"],"secret":"mine"}`, "", 400},
		{"malformed id", strict, "GET", "/v1/webhooks/nope", "", "", 404},
		{"unknown id", strict, "GET", "/v1/webhooks/" + unknownWebhook, "", "", 404},
		{"rotate unknown", strict, "POST", "/v1/webhooks/" + unknownWebhook + "/rotate", "", "", 404},
		{"replay unknown", strict, "POST", "/v1/webhooks/" + unknownWebhook + "/replay", "", "", 404},
		{"store down", strict, "GET", "/v1/webhooks/" + failingWebhook, "", "", 503},
		{"not configured", none, "GET", "/v1/webhooks", "", "", 503},
		{"no key", keyed, "GET", "/v1/webhooks", "", "", 401},
		{"read key", keyed, "GET", "/v1/webhooks", "", "reader-token", 403},
		{"write key", keyed, "POST", "/v1/webhooks", good, "writer-token", 403},
		{"admin key", keyed, "GET", "/v1/webhooks", "", "admin-token", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://localhost"+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			tc.s.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.code >= 400 && rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("error without the JSON shape")
			}
		})
	}
}
