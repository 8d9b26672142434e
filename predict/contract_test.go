package predict

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/parcelcast/parcelcast/schemas/api"
)

// TestContract checks requests and responses of the server against
// schemas/api/openapi.yaml, for successes and errors alike. Bad input
// is sent unchecked and its answer checked; an answer on a route or
// method the contract lacks must be its Error shape.
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
	open := newTestServer(t)
	full := newShipmentServer(t, newStore())
	keyed := newKeyedServer(t, Limits{})
	limited := newKeyedServer(t, Limits{RatePerKey: 0.001, Burst: 1})
	modelless := NewServer(memJourneys{}, nil, Options{})
	excs := newExceptionServer(t)
	hooks := newWebhookServer(t, newMemWebhooks(), false, false)
	adminHooks := newWebhookServer(t, newMemWebhooks(), true, false)
	const hook = `{"url":"https://93.184.215.14/hooks","event_types":["milestone.delivered","exception.stalled"],"filters":{"carriers":["ups"],"order_refs":["ORD-1"]}}`
	// Delivery instructions: a server of its own for each row that gives
	// one, and one holding a pending instruction (its key: cancel-key).
	fresh := func() *Server { return newInstructionServer(t, newStore(), &memInstructions{}) }
	given := fresh()
	code, out := sendInstr(t, given, "POST", "/v1/shipments/"+upsOpen+"/instructions", "cancel-key", rescheduleBody)
	if code != 201 {
		t.Fatalf("giving an instruction: %d %v", code, out)
	}
	givenID := out["instruction"].(map[string]any)["id"].(string)
	instr := "/v1/shipments/" + upsOpen + "/instructions"
	const lane = `{"carrier":"ups","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"}}`
	const unknown = `{"carrier":"acme","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"}`
	for _, tc := range []struct {
		name               string
		s                  *Server
		method, path, body string
		contentType, token string
		badInput           bool // bad input: the request itself is not checked
		code               int
	}{
		{"eta", open, "GET", "/v1/shipments/1Z999AA10123456784/eta", "", "", "", false, 200},
		{"eta delivered", open, "GET", "/v1/shipments/9400111899223100000017/eta", "", "", "", false, 200},
		{"eta bad number", open, "GET", "/v1/shipments/abc/eta", "", "", "", false, 400},
		{"eta unknown", open, "GET", "/v1/shipments/1Z999AA10123456793/eta", "", "", "", false, 404},
		{"eta lookup down", open, "GET", "/v1/shipments/FAILINGLOOKUP1/eta", "", "", "", false, 503},
		{"eta out for delivery", open, "GET", "/v1/shipments/1Z999AA10123456800/eta", "", "", "", false, 200},
		// The shipment view, references, orders and customers.
		{"shipment", full, "GET", "/v1/shipments/1Z999AA10123456784", "", "", "", false, 200},
		{"shipment delivered", full, "GET", "/v1/shipments/9400111899223100000017", "", "", "", false, 200},
		{"shipment S10", full, "GET", "/v1/shipments/RB123456785GB", "", "", "", false, 200},
		{"shipment fedex", full, "GET", "/v1/shipments/799531274483", "", "", "", false, 200},
		{"shipment bad number", full, "GET", "/v1/shipments/abc", "", "", "", false, 400},
		{"shipment unknown to the store", full, "GET", "/v1/shipments/1Z999AA10123456800", "", "", "", false, 404},
		{"shipment lookup down", full, "GET", "/v1/shipments/FAILINGLOOKUP1", "", "", "", false, 503},
		{"shipment eta lookup down", full, "GET", "/v1/shipments/FAILINGLOOKUP1/eta", "", "", "", false, 503},
		{"references", full, "PUT", "/v1/shipments/1Z999AA10123456784/references", `{"order_ref":"ORD-9","customer_ref":"CUS-9"}`, "application/json", "", false, 200},
		{"references trailing data", full, "PUT", "/v1/shipments/1Z999AA10123456784/references", `{"order_ref":"ORD-9"} []`, "application/json", "", true, 400},
		{"references other shipment", full, "PUT", "/v1/shipments/1Z999AA10123456800/references", `{"order_ref":"ORD-9"}`, "application/json", "", false, 404},
		{"order", full, "GET", "/v1/orders/ORD-1", "", "", "", false, 200},
		{"order 3", full, "GET", "/v1/orders/ORD-3", "", "", "", false, 200},
		{"order unknown", full, "GET", "/v1/orders/NOSUCH", "", "", "", false, 404},
		{"order lookup down", full, "GET", "/v1/orders/FAILING", "", "", "", false, 503},
		{"customer page", full, "GET", "/v1/customers/CUS-1/shipments?limit=2", "", "", "", false, 200},
		{"customer next page", full, "GET", "/v1/customers/CUS-1/shipments?limit=2&cursor=2", "", "", "", false, 200},
		{"customer bad cursor", full, "GET", "/v1/customers/CUS-1/shipments?cursor=bogus", "", "", "", false, 400},
		{"customer unknown", full, "GET", "/v1/customers/NOSUCH/shipments", "", "", "", false, 404},
		// The exceptions, and the shipment view with some.
		{"shipment with exceptions", excs, "GET", "/v1/shipments/1Z999AA10123456784", "", "", "", false, 200},
		{"exceptions", excs, "GET", "/v1/exceptions", "", "", "", false, 200},
		{"exceptions every state", excs, "GET", "/v1/exceptions?state=all&carrier=ups", "", "", "", false, 200},
		{"exceptions page", excs, "GET", "/v1/exceptions?type=stalled&limit=1", "", "", "", false, 200},
		{"exceptions next page", excs, "GET", "/v1/exceptions?limit=1&cursor=a1", "", "", "", false, 200},
		{"exceptions unknown type", excs, "GET", "/v1/exceptions?type=lost_in_space", "", "", "", true, 400},
		{"exceptions unknown state", excs, "GET", "/v1/exceptions?state=closed", "", "", "", true, 400},
		{"exceptions bad limit", excs, "GET", "/v1/exceptions?limit=0", "", "", "", true, 400},
		{"exceptions bad cursor", excs, "GET", "/v1/exceptions?cursor=ZZ", "", "", "", true, 400},
		{"exceptions unknown parameter", excs, "GET", "/v1/exceptions?status=open", "", "", "", true, 400},
		{"exceptions not configured", full, "GET", "/v1/exceptions", "", "", "", false, 503},
		{"exceptions post", excs, "POST", "/v1/exceptions", "{}", "application/json", "", true, 405},
		{"estimate", open, "POST", "/v1/estimates", lane, "application/json", "", false, 200},
		{"estimate invalid", open, "POST", "/v1/estimates", `{"carrier":"ups","service":"ground","origin":{},"destination":{}}`, "application/json", "", false, 400},
		{"estimate batch", open, "POST", "/v1/estimates", `{"requests":[` + lane + `,` + unknown + `}]}`, "application/json", "", false, 200},
		{"estimate unknown carrier", open, "POST", "/v1/estimates", unknown + `}`, "application/json", "", false, 422},
		{"estimate fallback", open, "POST", "/v1/estimates", unknown + `,"allow_fallback":true}`, "application/json", "", false, 200},
		{"estimate unknown field", open, "POST", "/v1/estimates", `{"carrier":"ups","bogus":1}`, "application/json", "", true, 400},
		{"estimate trailing data", open, "POST", "/v1/estimates", lane + `{}`, "application/json", "", true, 400},
		{"estimate wrong type", open, "POST", "/v1/estimates", lane, "text/plain", "", true, 415},
		{"estimate too large", open, "POST", "/v1/estimates", `{"carrier":"` + strings.Repeat("u", 300<<10) + `"}`, "application/json", "", true, 413},
		{"estimate batch too large", open, "POST", "/v1/estimates", `{"requests":[` + strings.TrimSuffix(strings.Repeat(lane+",", 101), ",") + `]}`, "application/json", "", true, 400},
		// Delivery options and instructions (an Idempotency-Key is sent
		// with every POST of an instruction but the one without).
		{"options", fresh(), "GET", "/v1/shipments/" + upsOpen + "/options", "", "", "", false, 200},
		{"options delivered", fresh(), "GET", "/v1/shipments/" + delivered + "/options", "", "", "", false, 200},
		{"options bad number", fresh(), "GET", "/v1/shipments/abc/options", "", "", "", false, 400},
		{"options unknown", fresh(), "GET", "/v1/shipments/1Z999AA10123456800/options", "", "", "", false, 404},
		{"options lookup down", fresh(), "GET", "/v1/shipments/FAILINGLOOKUP1/options", "", "", "", false, 503},
		{"instruction hold", fresh(), "POST", instr, holdBody, "application/json", "", false, 201},
		{"instruction reschedule", fresh(), "POST", instr, rescheduleBody, "application/json", "", false, 201},
		{"instruction redirect", fresh(), "POST", instr, redirectBody, "application/json", "", false, 201},
		{"instruction return", fresh(), "POST", instr, returnBody, "application/json", "", false, 201},
		{"instruction retried", given, "POST", instr, rescheduleBody, "application/json", "", false, 201},
		{"instruction shipment view", given, "GET", "/v1/shipments/" + upsOpen, "", "", "", false, 200},
		{"instruction eta", given, "GET", "/v1/shipments/" + upsOpen + "/eta", "", "", "", false, 200},
		{"instruction no key", fresh(), "POST", instr, holdBody, "application/json", "", true, 400},
		{"instruction bad number", fresh(), "POST", "/v1/shipments/abc/instructions", holdBody, "application/json", "", false, 400},
		{"instruction unknown number", fresh(), "POST", "/v1/shipments/1Z999AA10123456800/instructions", holdBody, "application/json", "", false, 404},
		{"instruction unknown type", fresh(), "POST", instr, `{"type":"teleport"}`, "application/json", "", true, 400},
		{"instruction without its field", fresh(), "POST", instr, `{"type":"reschedule"}`, "application/json", "", false, 400},
		{"instruction unknown field", fresh(), "POST", instr, `{"type":"return_to_sender","x":1}`, "application/json", "", true, 400},
		{"instruction wrong type", fresh(), "POST", instr, returnBody, "text/plain", "", true, 415},
		{"instruction too large", fresh(), "POST", instr, `{"type":"` + strings.Repeat("r", 300<<10) + `"}`, "application/json", "", true, 413},
		{"instruction past date", fresh(), "POST", instr, `{"type":"reschedule","date":"2026-11-20"}`, "application/json", "", false, 422},
		{"instruction holiday", fresh(), "POST", instr, `{"type":"reschedule","date":"2026-11-26"}`, "application/json", "", false, 422},
		{"instruction invalid address", fresh(), "POST", instr, `{"type":"redirect","address":{"line1":"1 Main St","city":"Town","postal_code":"1000","country":"US"}}`, "application/json", "", false, 422},
		{"instruction delivered", fresh(), "POST", "/v1/shipments/" + delivered + "/instructions", returnBody, "application/json", "", false, 409},
		{"instruction pending", given, "POST", instr, returnBody, "application/json", "", false, 409},
		{"instruction key reused", given, "POST", instr, returnBody, "application/json", "", false, 422},
		{"instruction lookup down", fresh(), "POST", "/v1/shipments/FAILINGLOOKUP1/instructions", returnBody, "application/json", "", false, 503},
		{"instruction not stored here", full, "POST", instr, returnBody, "application/json", "", false, 503},
		{"instruction cancel", given, "DELETE", instr + "/" + givenID, "", "", "", false, 200},
		{"instruction cancel again", given, "DELETE", instr + "/" + givenID, "", "", "", false, 200},
		{"instruction cancel unknown", given, "DELETE", instr + "/ins_nosuch", "", "", "", false, 404},
		{"instruction cancel bad number", given, "DELETE", "/v1/shipments/abc/instructions/" + givenID, "", "", "", false, 400},
		{"instruction wrong method", given, "PUT", instr, "", "", "", true, 405},
		{"model", open, "GET", "/v1/models/current", "", "", "", false, 200},
		{"ready", open, "GET", "/readyz", "", "", "", false, 200},
		{"not ready", modelless, "GET", "/readyz", "", "", "", false, 503},
		{"eta without a model", modelless, "GET", "/v1/shipments/1Z999AA10123456784/eta", "", "", "", false, 503},
		{"estimate without a model", modelless, "POST", "/v1/estimates", lane, "application/json", "", false, 503},
		{"model without a model", modelless, "GET", "/v1/models/current", "", "", "", false, 503},
		{"health", keyed, "GET", "/healthz", "", "", "", false, 200},
		{"no key", keyed, "GET", "/v1/models/current", "", "", "", false, 401},
		{"wrong key", keyed, "GET", "/v1/models/current", "", "", "not-a-key", false, 401},
		{"read key", keyed, "POST", "/v1/estimates", lane, "application/json", "reader-token", false, 200},
		{"key without read", keyed, "GET", "/v1/models/current", "", "", "writer-token", false, 403},
		{"rate limit first", limited, "GET", "/v1/models/current", "", "", "reader-token", false, 200},
		{"rate limit second", limited, "GET", "/v1/models/current", "", "", "reader-token", false, 429},
		// Webhook subscriptions.
		{"webhook create", hooks, "POST", "/v1/webhooks", hook, "application/json", "", false, 201},
		{"webhook list", hooks, "GET", "/v1/webhooks", "", "", "", false, 200},
		{"webhook get", hooks, "GET", "/v1/webhooks/" + testWebhookID, "", "", "", false, 200},
		{"webhook unknown", hooks, "GET", "/v1/webhooks/" + unknownWebhook, "", "", "", false, 404},
		{"webhook store down", hooks, "GET", "/v1/webhooks/" + failingWebhook, "", "", "", false, 503},
		{"webhook rotate", hooks, "POST", "/v1/webhooks/" + testWebhookID + "/rotate", "", "", "", false, 200},
		{"webhook replay", hooks, "POST", "/v1/webhooks/" + testWebhookID + "/replay", "", "", "", false, 202},
		{"webhook replay unknown", hooks, "POST", "/v1/webhooks/" + unknownWebhook + "/replay", "", "", "", false, 404},
		{"webhook delete", hooks, "DELETE", "/v1/webhooks/" + deleteWebhookID, "", "", "", false, 200},
		{"webhook delete unknown", hooks, "DELETE", "/v1/webhooks/" + deleteWebhookID, "", "", "", false, 404},
		{"webhook bad url", hooks, "POST", "/v1/webhooks", `{"url":"not a url","event_types":["milestone.delivered"]}`, "application/json", "", false, 400},
		{"webhook ftp url", hooks, "POST", "/v1/webhooks", `{"url":"ftp://93.184.215.14/x","event_types":["milestone.delivered"]}`, "application/json", "", false, 400},
		{"webhook loopback", hooks, "POST", "/v1/webhooks", `{"url":"http://127.0.0.1:8080/hooks","event_types":["milestone.delivered"]}`, "application/json", "", false, 422},
		{"webhook private", hooks, "POST", "/v1/webhooks", `{"url":"http://192.168.1.10/hooks","event_types":["milestone.delivered"]}`, "application/json", "", false, 422},
		{"webhook unknown event type", hooks, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":["milestone.teleported"]}`, "application/json", "", true, 422},
		{"webhook no event types", hooks, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":[]}`, "application/json", "", true, 400},
		{"webhook unknown field", hooks, "POST", "/v1/webhooks", `{"url":"https://93.184.215.14/hooks","event_types":["milestone.delivered"],"secret":"x"}`, "application/json", "", true, 400},
		{"webhook wrong type", hooks, "POST", "/v1/webhooks", hook, "text/plain", "", true, 415},
		{"webhook write key", adminHooks, "POST", "/v1/webhooks", hook, "application/json", "writer-token", false, 403},
		{"webhook read key", adminHooks, "GET", "/v1/webhooks", "", "", "reader-token", false, 403},
		{"webhook admin key", adminHooks, "GET", "/v1/webhooks", "", "", "admin-token", false, 200},
		{"webhook no key", adminHooks, "GET", "/v1/webhooks", "", "", "", false, 401},
		{"webhook wrong method", hooks, "PUT", "/v1/webhooks/" + testWebhookID, "", "", "", true, 405},
		{"wrong method", open, "DELETE", "/v1/estimates", "", "", "", true, 405},
		{"wrong method on eta", open, "POST", "/v1/shipments/1Z999AA10123456784/eta", "", "", "", true, 405},
		{"unknown path", open, "GET", "/v1/nothing", "", "", "", true, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://localhost"+tc.path, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.method == "POST" && strings.HasSuffix(tc.path, "/instructions") && tc.name != "instruction no key" {
				key := "key-" + tc.name
				if tc.s == given && tc.name != "instruction pending" {
					key = "cancel-key"
				}
				req.Header.Set("Idempotency-Key", key)
			}
			rec := httptest.NewRecorder()
			route, params, routeErr := router.FindRoute(req)
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			switch {
			case routeErr != nil && !tc.badInput:
				t.Fatalf("no route in the contract: %v", routeErr)
			case routeErr == nil && !tc.badInput:
				if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
					t.Fatalf("request breaks the contract: %v", err)
				}
			}
			req.Body = io.NopCloser(strings.NewReader(tc.body))
			tc.s.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("code %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if routeErr != nil {
				checkErrorShape(t, doc, rec)
				return
			}
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
				Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
			}
			if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
				t.Errorf("%d response breaks the contract: %v\n%s", rec.Code, err, rec.Body)
			}
		})
	}
}

// checkErrorShape checks an answer outside the contract's routes against
// its Error schema, and a 405's Allow header.
func checkErrorShape(t *testing.T, doc *openapi3.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body)
	}
	if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
		t.Errorf("body is not the Error shape: %v\n%s", err, rec.Body)
	}
	if rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", rec.Header().Get("Content-Type"))
	}
	if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}
