package predict

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A page route is open without a key, counted, and under the cap on
// requests in flight.
func TestHandlePage(t *testing.T) {
	keys, err := ParseKeys(strings.NewReader("k:" + HashToken("tok") + ":read"))
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(nil, nil, Options{Keys: keys, Limits: Limits{MaxInFlight: 1}})
	inside, release := make(chan struct{}), make(chan struct{})
	s.HandlePage("GET /page/{x}", "page", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("x") == "slow" {
			close(inside)
			<-release
		}
		w.WriteHeader(http.StatusTeapot)
	})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/page/a", nil))
	if rec.Code != http.StatusTeapot {
		t.Fatalf("without a key: %d, want the page's own answer", rec.Code)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/page/slow", nil))
	}()
	<-inside
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/page/b", nil))
	close(release)
	<-done
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("over the cap: %d %v", rec.Code, rec.Header())
	}
	if got := testutil.ToFloat64(s.requests.WithLabelValues("page", "418")); got != 2 {
		t.Errorf("counted %v answers of the page, want 2", got)
	}
}
