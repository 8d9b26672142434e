package predict

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/parcelcast/parcelcast/schemas/api"
)

// TestContract checks requests and responses of the server against
// schemas/api/openapi.yaml, for successes and errors alike.
func TestContract(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t)
	full := newShipmentServer(t, newStore())
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/v1/shipments/1Z999AA10123456784/eta", ""},
		{"GET", "/v1/shipments/9400111899223100000017/eta", ""},
		{"GET", "/v1/shipments/abc/eta", ""},
		{"GET", "/v1/shipments/1Z999AA10123456793/eta", ""},
		{"GET", "/v1/shipments/1Z999AA10123456800/eta", ""}, // out for delivery, with its delivery window
		{"POST", "/v1/estimates", `{"carrier":"ups","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"}}`},
		{"POST", "/v1/estimates", `{"carrier":"ups","service":"ground","origin":{},"destination":{}}`},
		{"GET", "/readyz", ""},
		// The shipment view, references, orders and customers (answered by full).
		{"GET", "/v1/shipments/1Z999AA10123456784", ""},
		{"GET", "/v1/shipments/9400111899223100000017", ""},
		{"GET", "/v1/shipments/RB123456785GB", ""},
		{"GET", "/v1/shipments/799531274483", ""},
		{"GET", "/v1/shipments/abc", ""},
		{"GET", "/v1/shipments/1Z999AA10123456800", ""},
		{"GET", "/v1/shipments/FAILINGLOOKUP1", ""},
		{"GET", "/v1/shipments/FAILINGLOOKUP1/eta", ""},
		{"PUT", "/v1/shipments/1Z999AA10123456784/references", `{"order_ref":"ORD-9","customer_ref":"CUS-9"}`},
		{"PUT", "/v1/shipments/1Z999AA10123456784/references", `{"order_ref":"ORD-9"} []`},
		{"PUT", "/v1/shipments/1Z999AA10123456800/references", `{"order_ref":"ORD-9"}`},
		{"GET", "/v1/orders/ORD-1", ""},
		{"GET", "/v1/orders/ORD-3", ""},
		{"GET", "/v1/orders/NOSUCH", ""},
		{"GET", "/v1/orders/FAILING", ""},
		{"GET", "/v1/customers/CUS-1/shipments?limit=2", ""},
		{"GET", "/v1/customers/CUS-1/shipments?limit=2&cursor=2", ""},
		{"GET", "/v1/customers/CUS-1/shipments?cursor=bogus", ""},
		{"GET", "/v1/customers/NOSUCH/shipments", ""},
	} {
		srv := s
		if strings.HasPrefix(tc.path, "/v1/orders/") || strings.HasPrefix(tc.path, "/v1/customers/") ||
			strings.HasPrefix(tc.path, "/v1/shipments/") && !strings.HasSuffix(tc.path, "/eta") || strings.Contains(tc.path, "FAILING") {
			srv = full
		}
		req := httptest.NewRequest(tc.method, "http://localhost"+tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s %s: no route in the contract: %v", tc.method, tc.path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Fatalf("%s %s: request breaks the contract: %v", tc.method, tc.path, err)
		}
		req.Body = io.NopCloser(strings.NewReader(tc.body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		}
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("%s %s: %d response breaks the contract: %v\n%s", tc.method, tc.path, rec.Code, err, rec.Body)
		}
	}
}
