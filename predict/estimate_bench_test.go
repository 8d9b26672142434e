package predict

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkEstimate is one POST /v1/estimates through the whole server,
// without the network.
func BenchmarkEstimate(b *testing.B) {
	s := newTestServer(b)
	s = NewServer(s.shipments, s.Model(), Options{Now: s.now, Keys: testKeys(b), Limits: Limits{RatePerKey: -1}})
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/estimates", strings.NewReader(testLane))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer reader-token")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
