package predict

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// send is a request with headers through the whole server.
func send(s http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// errorCode is the code of an error body, failing the test when the
// body is not the error shape.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%d: not the error shape: %q", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	return e.Error.Code
}

const testLane = `{"carrier":"ups","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"}}`

func TestStrictInput(t *testing.T) {
	s := newTestServer(t)
	json := []string{"Content-Type", "application/json"}
	for _, tc := range []struct {
		name, method, path, body string
		headers                  []string
		code                     int
		errCode                  string
	}{
		{"unknown field", "POST", "/v1/estimates", `{"carrier":"ups","bogus":1}`, json, 400, "invalid_json"},
		{"unknown nested field", "POST", "/v1/estimates", `{"carrier":"ups","origin":{"zip":"1"}}`, json, 400, "invalid_json"},
		{"trailing data", "POST", "/v1/estimates", testLane + `{"carrier":"x"}`, json, 400, "invalid_json"},
		{"trailing garbage", "POST", "/v1/estimates", testLane + `x`, json, 400, "invalid_json"},
		{"trailing space is fine", "POST", "/v1/estimates", testLane + " \n", json, 200, ""},
		{"empty body", "POST", "/v1/estimates", "", json, 400, "invalid_json"},
		{"wrong content type", "POST", "/v1/estimates", testLane, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"form content type", "POST", "/v1/estimates", testLane, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"json with charset", "POST", "/v1/estimates", testLane, []string{"Content-Type", "application/json; charset=utf-8"}, 200, ""},
		{"oversize body", "POST", "/v1/estimates", `{"carrier":"` + strings.Repeat("u", 300<<10) + `"}`, json, 413, "body_too_large"},
		{"lane and batch", "POST", "/v1/estimates", `{"carrier":"ups","requests":[` + testLane + `]}`, json, 400, "invalid_request"},
		{"empty batch", "POST", "/v1/estimates", `{"requests":[]}`, json, 400, "invalid_request"},
		{"wrong method", "PUT", "/v1/estimates", testLane, json, 405, "method_not_allowed"},
		{"wrong method on readyz", "POST", "/readyz", "", nil, 405, "method_not_allowed"},
		{"unknown path", "GET", "/v1/nothing", "", nil, 404, "not_found"},
		{"root", "GET", "/", "", nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := send(s, tc.method, tc.path, tc.body, tc.headers...)
			if rec.Code != tc.code {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.errCode == "" {
				return
			}
			if got := errorCode(t, rec); got != tc.errCode {
				t.Errorf("error code %q, want %q", got, tc.errCode)
			}
			if tc.code == 405 && rec.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

func TestKeysAndScopes(t *testing.T) {
	s := newKeyedServer(t, Limits{})
	for _, tc := range []struct {
		name, method, path, auth string
		code                     int
		errCode                  string
	}{
		{"no key", "GET", "/v1/models/current", "", 401, "unauthenticated"},
		{"basic auth", "GET", "/v1/models/current", "Basic cmVhZGVyOnRva2Vu", 401, "unauthenticated"},
		{"unknown key", "GET", "/v1/models/current", "Bearer nope", 401, "unauthenticated"},
		{"empty bearer", "GET", "/v1/models/current", "Bearer ", 401, "unauthenticated"},
		{"the hash is not the key", "GET", "/v1/models/current", "Bearer " + HashToken("reader-token"), 401, "unauthenticated"},
		{"reader", "GET", "/v1/models/current", "Bearer reader-token", 200, ""},
		{"reader, scheme in lower case", "GET", "/v1/models/current", "bearer reader-token", 200, ""},
		{"reader estimates", "POST", "/v1/estimates", "Bearer reader-token", 200, ""},
		{"writer cannot read", "GET", "/v1/shipments/1Z999AA10123456784/eta", "Bearer writer-token", 403, "forbidden"},
		{"admin reads", "GET", "/v1/shipments/1Z999AA10123456784/eta", "Bearer admin-token", 200, ""},
		{"healthz is open", "GET", "/healthz", "", 200, ""},
		{"readyz is open", "GET", "/readyz", "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := ""
			if tc.method == "POST" {
				body = testLane
			}
			rec := send(s, tc.method, tc.path, body, "Authorization", tc.auth)
			if rec.Code != tc.code {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if tc.errCode != "" {
				if got := errorCode(t, rec); got != tc.errCode {
					t.Errorf("error code %q, want %q", got, tc.errCode)
				}
			}
			if tc.code == 401 && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer challenge: %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	h := HashToken("t")
	for _, tc := range []struct {
		name, text string
		keys       int
		bad        bool
	}{
		{"one", "a:" + h + ":read", 1, false},
		{"comments and blanks", "# keys\n\na:" + h + ":read,write\n", 1, false},
		{"semicolons", "a:" + h + ":read; b:" + HashToken("u") + ":admin", 2, false},
		{"upper-case hex", "a:" + strings.ToUpper(h) + ":read", 1, false},
		{"short hash", "a:abcd:read", 0, true},
		{"token instead of hash", "a:secret-token:read", 0, true},
		{"unknown scope", "a:" + h + ":root", 0, true},
		{"no scopes", "a:" + h + ":", 0, true},
		{"no name", ":" + h + ":read", 0, true},
		{"twice", "a:" + h + ":read\na:" + h + ":write", 0, true},
		{"two fields", "a:" + h, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseKeys(strings.NewReader(tc.text))
			if tc.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				if strings.Contains(err.Error(), "secret-token") {
					t.Errorf("error shows the token: %v", err)
				}
				return
			}
			if err != nil || ks.Len() != tc.keys {
				t.Fatalf("%v, %d keys; want %d", err, ks.Len(), tc.keys)
			}
			if k, ok := ks.Lookup("t"); !ok || k.Name != "a" {
				t.Errorf("lookup of the token: %v %v", k, ok)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	s := newKeyedServer(t, Limits{RatePerKey: 0.01, Burst: 2})
	for i := range 2 {
		if rec := send(s, "GET", "/v1/models/current", "", "Authorization", "Bearer reader-token"); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i, rec.Code)
		}
	}
	rec := send(s, "GET", "/v1/models/current", "", "Authorization", "Bearer reader-token")
	if rec.Code != http.StatusTooManyRequests || errorCode(t, rec) != "rate_limited" {
		t.Fatalf("beyond the burst: %d %s", rec.Code, rec.Body)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	// Another key has its own allowance.
	if rec := send(s, "GET", "/v1/models/current", "", "Authorization", "Bearer admin-token"); rec.Code != 200 {
		t.Errorf("another key: %d", rec.Code)
	}
}

// blockingJourneys holds every lookup until release is closed (or the
// request's context ends), telling entered when one starts.
type blockingJourneys struct {
	entered chan struct{}
	release chan struct{}
}

func (b blockingJourneys) Shipment(ctx context.Context, _ string) (Shipment, bool, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return Shipment{}, false, nil
	case <-ctx.Done():
		return Shipment{}, false, ctx.Err()
	}
}

func TestInFlightCap(t *testing.T) {
	j := blockingJourneys{entered: make(chan struct{}, 1), release: make(chan struct{})}
	s := NewServer(j, testModel(), Options{Limits: Limits{MaxInFlight: 1, LookupTimeout: time.Minute}})
	first := make(chan int, 1)
	go func() { first <- send(s, "GET", "/v1/shipments/1Z999AA10123456784/eta", "").Code }()
	<-j.entered // the first request holds the only slot
	rec := send(s, "GET", "/v1/models/current", "")
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec) != "overloaded" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("beyond the cap: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// Liveness and readiness are not API requests: they still answer.
	if rec := send(s, "GET", "/healthz", ""); rec.Code != 200 {
		t.Errorf("healthz at the cap: %d", rec.Code)
	}
	close(j.release)
	if code := <-first; code != http.StatusNotFound {
		t.Errorf("first request: %d", code)
	}
	if rec := send(s, "GET", "/v1/models/current", ""); rec.Code != 200 {
		t.Errorf("after the slot is free: %d", rec.Code)
	}
}

// With the database not answering, a request that needs it gets 503 and
// Retry-After within a second.
func TestLookupDeadline(t *testing.T) {
	j := blockingJourneys{entered: make(chan struct{}, 1), release: make(chan struct{})}
	s := NewServer(j, testModel(), Options{}) // the default deadline
	start := time.Now()
	rec := send(s, "GET", "/v1/shipments/1Z999AA10123456784/eta", "")
	if took := time.Since(start); took >= time.Second {
		t.Errorf("took %s", took)
	}
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec) != "lookup_failed" || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestReadyChecks(t *testing.T) {
	down := true
	s := NewServer(memJourneys{}, testModel(), Options{Ready: []ReadyCheck{{Name: "clickhouse", Check: func(ctx context.Context) error {
		if down {
			return context.DeadlineExceeded
		}
		return nil
	}}}})
	rec := send(s, "GET", "/readyz", "")
	if rec.Code != 503 || errorCode(t, rec) != "not_ready" || !strings.Contains(rec.Body.String(), "clickhouse") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("with clickhouse down: %d %s", rec.Code, rec.Body)
	}
	down = false
	if rec := send(s, "GET", "/readyz", ""); rec.Code != 200 {
		t.Fatalf("with clickhouse up: %d %s", rec.Code, rec.Body)
	}
}

// A value that cannot be encoded is a 500 in the error shape, never a 200
// with an empty or cut body.
func TestWriteJSONEncodesFirst(t *testing.T) {
	rec := httptest.NewRecorder()
	writeJSON(rec, 200, map[string]float64{"p50": math.NaN()})
	if rec.Code != 500 || errorCode(t, rec) != "internal" {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	writeJSON(rec, 200, map[string]string{"ok": "yes"})
	if rec.Code != 200 || rec.Header().Get("Content-Length") != strconv.Itoa(rec.Body.Len()) || rec.Body.Len() == 0 {
		t.Fatalf("%d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}

// A route's own 404 is its own, not the mux's "no such endpoint".
func TestRouteErrorsPassThrough(t *testing.T) {
	s := newTestServer(t)
	rec := send(s, "GET", "/v1/shipments/1Z999AA10123456793/eta", "")
	if rec.Code != 404 || errorCode(t, rec) != "not_found" || !strings.Contains(rec.Body.String(), "no scans for tracking number") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// deafJourneys ignore the context: they answer only once released.
type deafJourneys struct{ release chan struct{} }

func (d deafJourneys) Shipment(context.Context, string) (Shipment, bool, error) {
	<-d.release
	return Shipment{}, false, nil
}

// A lookup that does not heed its context still cannot hold the request
// past the deadline, nor a readiness check /readyz.
func TestDeadlineOverDeafCalls(t *testing.T) {
	d := deafJourneys{release: make(chan struct{})}
	defer close(d.release)
	s := NewServer(d, testModel(), Options{Limits: Limits{LookupTimeout: 50 * time.Millisecond, MaxDBCalls: -1},
		Ready: []ReadyCheck{{Name: "deaf", Check: func(context.Context) error { <-d.release; return nil }}}})
	for _, path := range []string{"/v1/shipments/1Z999AA10123456784/eta", "/readyz"} {
		start := time.Now()
		rec := send(s, "GET", path, "")
		if took := time.Since(start); rec.Code != 503 || took >= time.Second {
			t.Errorf("%s: %d in %s", path, rec.Code, took)
		}
	}
}

// The calls a frozen database holds are capped: beyond the cap a request
// is refused at once instead of leaving one more goroutine behind.
func TestDBCallCap(t *testing.T) {
	d := deafJourneys{release: make(chan struct{})}
	s := NewServer(d, testModel(), Options{Limits: Limits{LookupTimeout: 20 * time.Millisecond, MaxDBCalls: 2}})
	for i := range 4 {
		rec := send(s, "GET", "/v1/shipments/1Z999AA10123456784/eta", "")
		if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("call %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if n := len(s.dbCalls); n != 2 {
		t.Errorf("%d calls out, want the cap of 2", n)
	}
	close(d.release)
	waitFor(t, func() bool { return len(s.dbCalls) == 0 })
}
