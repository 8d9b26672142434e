package predict

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/predict/webhooks"
)

// FuzzServer sends methods, paths, bodies and content types through the
// whole server: every answer is JSON, a 2xx or the error shape, and bad
// input never gets a 5xx (only the test's failing lookup may).
func FuzzServer(f *testing.F) {
	for _, seed := range []struct{ method, path, body, ct string }{
		{"POST", "/v1/estimates", testLane, "application/json"},
		{"POST", "/v1/estimates", `{"requests":[` + testLane + `]}`, "application/json"},
		{"POST", "/v1/estimates", `{"carrier":"ups","service":"ground","origin":{"country":"BR","region":"SP"},"destination":{"postal_code":"99999"},"ship_time":"2099-12-31T23:59:59+14:00","allow_fallback":true}`, ""},
		{"POST", "/v1/estimates", `{"carrier":"ups"}{}`, "application/json"},
		{"GET", "/v1/shipments/1Z999AA10123456784/eta", "", ""},
		{"GET", "/v1/shipments/%00/eta", "", ""},
		{"GET", "/v1/models/current", "", ""},
		{"DELETE", "/v1/models/current", "", ""},
		{"GET", "/readyz", "", ""},
		{"PATCH", "/nothing/..", "x", "text/plain"},
		{"POST", "/v1/webhooks", `{"url":"https://93.184.215.14/h","event_types":["milestone.delivered"],"filters":{"carriers":["ups"]}}`, "application/json"},
		{"POST", "/v1/webhooks/" + testWebhookID + "/rotate", "", ""},
		{"DELETE", "/v1/webhooks/" + deleteWebhookID, "", ""},
	} {
		f.Add(seed.method, seed.path, seed.body, seed.ct)
	}
	s := newTestServer(f)
	hooks := newMemWebhooks()
	hooks.failID = ""
	s = NewServer(s.shipments, s.Model(), Options{Now: s.now, Limits: Limits{RatePerKey: -1, MaxInFlight: -1},
		Webhooks: hooks, WebhookSafety: webhooks.Safety{AllowPrivate: true}})
	f.Fuzz(func(t *testing.T, method, path, body, ct string) {
		u, err := url.ParseRequestURI(path)
		if err != nil || !strings.HasPrefix(path, "/") || !validMethod(method) {
			return
		}
		req := httptest.NewRequest("GET", "http://localhost/", strings.NewReader(body))
		req.Method, req.URL, req.RequestURI = method, u, path
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 300 && rec.Code < 400 {
			return // the mux's redirect of an unclean path
		}
		if method == http.MethodHead {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %q: %d body is not a JSON object: %q", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 200 && rec.Code < 300 {
			return
		}
		var e apiError
		if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %q: %d is not the error shape: %q", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 500 && e.Error.Code != "lookup_failed" {
			t.Fatalf("%s %q %q: %d for bad input: %s", method, path, body, rec.Code, rec.Body)
		}
	})
}

// validMethod is a method token net/http would accept on the wire.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < '!' || c > '~' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, c) {
			return false
		}
	}
	return true
}
