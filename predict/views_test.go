package predict

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A page route is open without a key, counted, and outside the API's cap
// on requests in flight: pages cannot starve the API's clients, nor the
// API the pages.
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
	api := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/models/current", nil)
	req.Header.Set("Authorization", "Bearer tok")
	s.ServeHTTP(api, req)
	close(release)
	<-done
	if rec.Code != http.StatusTeapot {
		t.Errorf("a page while another is made: %d, want the page's own answer", rec.Code)
	}
	if api.Code == http.StatusServiceUnavailable && strings.Contains(api.Body.String(), "overloaded") {
		t.Errorf("the API refused while a page was made: %d %s", api.Code, api.Body)
	}
	if got := testutil.ToFloat64(s.requests.WithLabelValues("page", "418")); got != 3 {
		t.Errorf("counted %v answers of the page, want 3", got)
	}
}
