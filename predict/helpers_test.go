package predict

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// testKeys are a reader (read scope), a writer (write only) and an
// admin; each token is its name with "-token".
func testKeys(t testing.TB) *Keys {
	t.Helper()
	var b strings.Builder
	for _, k := range []struct{ name, scopes string }{{"reader", "read"}, {"writer", "write"}, {"admin", "admin"}} {
		fmt.Fprintf(&b, "%s:%s:%s\n", k.name, HashToken(k.name+"-token"), k.scopes)
	}
	ks, err := ParseKeys(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// newKeyedServer is newTestServer with testKeys and the given limits.
func newKeyedServer(t *testing.T, l Limits) *Server {
	t.Helper()
	s := newTestServer(t)
	return NewServer(s.shipments, s.Model(), Options{Now: s.now, Keys: testKeys(t), Limits: l})
}
