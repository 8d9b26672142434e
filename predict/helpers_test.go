package predict

import (
	"fmt"
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
	return NewServer(s.journeys, s.Model(), Options{Now: s.now, Keys: testKeys(t), Limits: l})
}
