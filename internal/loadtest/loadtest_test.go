package loadtest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/internal/loadtest"
)

func TestRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	results := loadtest.Run([]loadtest.Scenario{
		{Name: "fixed rate", Method: "GET", URL: srv.URL + "/", Rate: 100, Workers: 4},
		{Name: "max", Method: "GET", URL: srv.URL + "/", Workers: 2},
		{Name: "errors", Method: "GET", URL: srv.URL + "/missing", Rate: 50, Workers: 2},
	}, 400*time.Millisecond, 2)
	for _, tc := range []struct {
		name        string
		r           loadtest.Result
		minRequests int
		success     float64
		code        string
	}{
		{"fixed rate", results[0], 30, 1, "200"}, // 100/s for 0.4 s, in two rounds
		{"max", results[1], 30, 1, "200"},
		{"errors", results[2], 10, 0, "404"},
	} {
		if tc.r.Name != tc.name || tc.r.Requests < tc.minRequests || tc.r.Success != tc.success || tc.r.StatusCodes[tc.code] != tc.r.Requests {
			t.Errorf("%s: %+v", tc.name, tc.r)
		}
		if tc.r.Requests > 0 && (tc.r.P50 <= 0 || tc.r.P99 < tc.r.P50 || tc.r.Max < tc.r.P99 || tc.r.Elapsed < 300*time.Millisecond) {
			t.Errorf("%s: latencies %+v", tc.name, tc.r)
		}
	}
	if r := results[0]; r.Requests > 45 { // 100/s for 0.4 s paces 40 or 42
		t.Errorf("fixed rate sent %d requests in 0.4 s at 100/s", r.Requests)
	}
	var b strings.Builder
	loadtest.Print(&b, results)
	if !strings.Contains(b.String(), "| fixed rate | 100/s | 4 |") || !strings.Contains(b.String(), "404×") {
		t.Errorf("table:\n%s", b.String())
	}
}
