package predict

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
)

// FuzzShipmentRoutes sends the shipment, references, order and customer
// routes any path segment, query and body: every answer is JSON, an error
// has the error shape, and none is a 500.
func FuzzShipmentRoutes(f *testing.F) {
	for _, seed := range []struct {
		route          uint8
		segment, query string
		body           string
	}{
		{0, "1Z999AA10123456784", "", ""},
		{1, "1Z999AA10123456784", "", `{"order_ref":"ORD-9","customer_ref":"CUS-9"}`},
		{1, "1Z999AA10123456784", "", `{"order_ref":"A"} {}`},
		{1, "RB123456785GB", "", `{"order_ref":"` + strings.Repeat("x", 200) + `"}`},
		{2, "ORD-1", "", ""},
		{2, "A\x00B", "", ""},
		{3, "CUS-1", "limit=2&cursor=2", ""},
		{3, "CUS-1", "limit=-1&cursor=%ff", ""},
		{4, "9400111899223100000017", "", ""},
	} {
		f.Add(seed.route, seed.segment, seed.query, []byte(seed.body))
	}
	store := newStore()
	path := f.TempDir() + "/m.json"
	if _, err := testModel().Save(path); err != nil {
		f.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		f.Fatal(err)
	}
	s := NewServer(store, m, Options{Now: func() time.Time { return t0.Add(4 * time.Hour) },
		Orders: store, References: store, LiveReferences: store})
	f.Fuzz(func(t *testing.T, route uint8, segment, query string, body []byte) {
		if segment == "" || segment == "." || segment == ".." {
			return // the mux redirects to the cleaned path before any handler runs
		}
		seg := url.PathEscape(segment)
		method, path := "GET", ""
		switch route % 5 {
		case 0:
			path = "/v1/shipments/" + seg
		case 1:
			method, path = "PUT", "/v1/shipments/"+seg+"/references"
		case 2:
			path = "/v1/orders/" + seg
		case 3:
			path = "/v1/customers/" + seg + "/shipments"
		case 4:
			path = "/v1/shipments/" + seg + "/eta"
		}
		if query != "" {
			path += "?" + url.PathEscape(query)
		}
		req := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 503 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d, body is not JSON: %q", method, path, rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			e, _ := out["error"].(map[string]any)
			if e == nil || e["code"] == "" || e["message"] == "" {
				t.Fatalf("%s %s: %d without the error shape: %s", method, path, rec.Code, rec.Body)
			}
		}
	})
}
