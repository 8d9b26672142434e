package predict

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// Each instruction type, given on a parcel in flight, is stored,
// published, listed in the shipment view and followed by the ETA there
// and on /eta; the latest estimate says the instruction changed it.
func TestInstructionIntoViewAndETA(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		typ        schemas.InstructionType
		expected   schemas.Status
		// eta checks the ETA window given, against the journey's.
		eta func(t *testing.T, s *Server, sh Shipment, eta map[string]any)
	}{
		{"hold", holdBody, schemas.InstructionHoldAtLocation, schemas.StatusAvailableForPickup, func(t *testing.T, s *Server, sh Shipment, eta map[string]any) {
			j := sh.Journey
			j.Destination = schemas.Location{City: "San Francisco", Region: "CA", PostalCode: "94107", Country: "US"}
			snap := j.SnapshotAt(len(j.Scans) - 1)
			want := window(snap.At, instructionNow, s.Model().Predict(snap))
			if got := eta["p50"]; got != want.P50.Format(time.RFC3339) {
				t.Errorf("p50 %v, want the ETA to the point's area %s", got, want.P50.Format(time.RFC3339))
			}
		}},
		{"reschedule", rescheduleBody, schemas.InstructionReschedule, schemas.StatusDelivered, func(t *testing.T, _ *Server, _ Shipment, eta map[string]any) {
			// 08:00 to 21:00 at UTC−5 on 2026-11-25.
			from, to := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
			for _, k := range []string{"p10", "p50", "p90", "p95_commit"} {
				at, err := time.Parse(time.RFC3339, eta[k].(string))
				if err != nil || at.Before(from) || at.After(to) {
					t.Errorf("%s %v not within the day's delivery hours %s to %s", k, eta[k], from, to)
				}
			}
		}},
		{"redirect", redirectBody, schemas.InstructionRedirect, schemas.StatusDelivered, func(t *testing.T, s *Server, sh Shipment, eta map[string]any) {
			j := sh.Journey
			j.Destination = schemas.Location{City: "New York", Region: "NY", PostalCode: "10004", Country: "US"}
			snap := j.SnapshotAt(len(j.Scans) - 1)
			want := window(snap.At, instructionNow, s.Model().Predict(snap))
			if got := eta["p50"]; got != want.P50.Format(time.RFC3339) {
				t.Errorf("p50 %v, want the ETA to the new address %s", got, want.P50.Format(time.RFC3339))
			}
			if old := window(snap.At, instructionNow, s.Model().Predict(sh.SnapshotAt(len(j.Scans)-1))); old.P50.Equal(want.P50) {
				t.Fatalf("the model gives the same ETA to both addresses: the test cannot tell them apart")
			}
		}},
		{"return", returnBody, schemas.InstructionReturnToSender, schemas.StatusReturnedToSender, func(t *testing.T, s *Server, sh Shipment, eta map[string]any) {
			j := sh.Journey
			j.Destination = j.Origin
			snap := j.SnapshotAt(len(j.Scans) - 1)
			want := window(snap.At, instructionNow, s.Model().Predict(snap))
			if got := eta["p50"]; got != want.P50.Format(time.RFC3339) {
				t.Errorf("p50 %v, want the ETA back to the origin %s", got, want.P50.Format(time.RFC3339))
			}
			if old := window(snap.At, instructionNow, s.Model().Predict(sh.SnapshotAt(len(j.Scans)-1))); old.P50.Equal(want.P50) {
				t.Fatalf("the model gives the same ETA to both ends: the test cannot tell them apart")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, ins := newStore(), &memInstructions{}
			s := newInstructionServer(t, store, ins)
			code, body := sendInstr(t, s, "POST", "/v1/shipments/"+upsOpen+"/instructions", "key-1", tc.body)
			if code != 201 {
				t.Fatalf("POST: %d %v", code, body)
			}
			in := body["instruction"].(map[string]any)
			if in["type"] != string(tc.typ) || in["state"] != "pending" || !strings.HasPrefix(in["id"].(string), "ins_") {
				t.Errorf("instruction %v", in)
			}
			if n, p := ins.counts(); n != 1 || p != 1 || ins.published[0].ID != in["id"] || ins.published[0].TrackingNumber != upsOpen {
				t.Errorf("stored %d, published %d (%+v)", n, p, ins.published)
			}
			code, view := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen, "", "")
			if code != 200 {
				t.Fatalf("GET: %d %v", code, view)
			}
			list := view["instructions"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["id"] != in["id"] {
				t.Errorf("view's instructions %v", list)
			}
			if active, _ := view["active_instruction"].(map[string]any); active["id"] != in["id"] {
				t.Errorf("active_instruction %v", view["active_instruction"])
			}
			if view["expected_event"] != string(tc.expected) {
				t.Errorf("expected_event %v, want %s", view["expected_event"], tc.expected)
			}
			if latest := view["latest_estimate"].(map[string]any); latest["changed_by"] != ChangedByInstruction {
				t.Errorf("latest_estimate.changed_by %v", latest["changed_by"])
			}
			if tc.typ == schemas.InstructionHoldAtLocation && view["delivery_window"] != nil {
				t.Errorf("a hold has no doorstep window: %v", view["delivery_window"])
			}
			if w, _ := view["delivery_window"].(map[string]any); tc.typ == schemas.InstructionReschedule && w != nil && w["date"] != in["date"] {
				t.Errorf("a reschedule to %v has a window on %v", in["date"], w["date"])
			}
			sh := store.ships[upsOpen]
			tc.eta(t, s, sh, view["eta"].(map[string]any))
			code, eta := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen+"/eta", "", "")
			if code != 200 || eta["eta"].(map[string]any)["p50"] != view["eta"].(map[string]any)["p50"] {
				t.Errorf("/eta %d %v, the view's %v", code, eta["eta"], view["eta"])
			}
		})
	}
}

// Without an instruction the view lists none and the ETA is the model's.
func TestNoInstruction(t *testing.T) {
	s := newInstructionServer(t, newStore(), &memInstructions{})
	_, view := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen, "", "")
	if list, ok := view["instructions"].([]any); !ok || len(list) != 0 {
		t.Errorf("instructions %v, want []", view["instructions"])
	}
	if view["active_instruction"] != nil || view["expected_event"] != nil {
		t.Errorf("active_instruction %v, expected_event %v", view["active_instruction"], view["expected_event"])
	}
	if latest := view["latest_estimate"].(map[string]any); latest["changed_by"] != ChangedByNewScan {
		t.Errorf("changed_by %v", latest["changed_by"])
	}
}

// Every bad request class gets its 4xx (and a store or broker down its
// 503), with its error code.
func TestInstructionRequests(t *testing.T) {
	path := "/v1/shipments/" + upsOpen + "/instructions"
	addr := func(postal, country, region string) string {
		return `{"type":"redirect","address":{"line1":"1 Main St","city":"Town","region":"` + region + `","postal_code":"` + postal + `","country":"` + country + `"}}`
	}
	for _, tc := range []struct {
		name, path, key, body string
		noType                bool // no Content-Type
		setup                 func(*memStore, *memInstructions)
		code                  int
		errCode               string
	}{
		{"hold", path, "k", holdBody, false, nil, 201, ""},
		{"redirect to Canada", path, "k", addr("K1A 0B1", "CA", "ON"), false, nil, 201, ""},
		{"redirect to Brazil", path, "k", addr("01310-100", "BR", "SP"), false, nil, 201, ""},
		{"lower-case fields are normalized", path, "k", addr("sw1a 2aa", "gb", ""), false, nil, 201, ""},
		{"bad number", "/v1/shipments/abc/instructions", "k", holdBody, false, nil, 400, "invalid_tracking_number"},
		{"unknown number", "/v1/shipments/1Z999AA10123456800/instructions", "k", holdBody, false, nil, 404, "not_found"},
		{"no idempotency key", path, "", holdBody, false, nil, 400, "invalid_idempotency_key"},
		{"idempotency key too long", path, strings.Repeat("k", 256), holdBody, false, nil, 400, "invalid_idempotency_key"},
		{"idempotency key not ascii", path, "clé", holdBody, false, nil, 400, "invalid_idempotency_key"},
		{"no content type", path, "k", holdBody, true, nil, 415, "unsupported_media_type"},
		{"malformed json", path, "k", `{"type":`, false, nil, 400, "invalid_json"},
		{"unknown field", path, "k", `{"type":"return_to_sender","when":"now"}`, false, nil, 400, "invalid_json"},
		{"unknown nested field", path, "k", `{"type":"redirect","address":{"line1":"x","city":"y","postal_code":"10004","country":"US","floor":3}}`, false, nil, 400, "invalid_json"},
		{"too large", path, "k", `{"type":"` + strings.Repeat("r", 300<<10) + `"}`, false, nil, 413, "body_too_large"},
		{"unknown type", path, "k", `{"type":"teleport"}`, false, nil, 400, "invalid_request"},
		{"no type", path, "k", `{}`, false, nil, 400, "invalid_request"},
		{"reschedule without a date", path, "k", `{"type":"reschedule"}`, false, nil, 400, "invalid_request"},
		{"hold without a point", path, "k", `{"type":"hold_at_location"}`, false, nil, 400, "invalid_request"},
		{"hold without a point id", path, "k", `{"type":"hold_at_location","pickup_point":{"address":{"line1":"x","city":"y","postal_code":"10004","country":"US"}}}`, false, nil, 400, "invalid_request"},
		{"redirect without an address", path, "k", `{"type":"redirect"}`, false, nil, 400, "invalid_request"},
		{"a date on a return", path, "k", `{"type":"return_to_sender","date":"2026-11-25"}`, false, nil, 400, "invalid_request"},
		{"a date not YYYY-MM-DD", path, "k", `{"type":"reschedule","date":"25/11/2026"}`, false, nil, 400, "invalid_request"},
		{"a past date", path, "k", `{"type":"reschedule","date":"2026-11-20"}`, false, nil, 422, "invalid_date"},
		{"today", path, "k", `{"type":"reschedule","date":"2026-11-23"}`, false, nil, 422, "invalid_date"},
		{"thanksgiving", path, "k", `{"type":"reschedule","date":"2026-11-26"}`, false, nil, 422, "invalid_date"},
		{"a saturday", path, "k", `{"type":"reschedule","date":"2026-11-28"}`, false, nil, 422, "invalid_date"},
		{"too far ahead", path, "k", `{"type":"reschedule","date":"2026-12-08"}`, false, nil, 422, "invalid_date"},
		{"the last day ahead", path, "k", `{"type":"reschedule","date":"2026-12-07"}`, false, nil, 201, ""},
		{"zip of four digits", path, "k", addr("1000", "US", "NY"), false, nil, 422, "invalid_address"},
		{"unknown country", path, "k", addr("10004", "XX", ""), false, nil, 422, "invalid_address"},
		{"region of another country", path, "k", addr("10004", "US", "ON"), false, nil, 422, "invalid_address"},
		{"pickup point's address", path, "k", `{"type":"hold_at_location","pickup_point":{"id":"P1","address":{"line1":"x","city":"y","postal_code":"ABC","country":"US"}}}`, false, nil, 422, "invalid_address"},
		{"delivered", "/v1/shipments/" + delivered + "/instructions", "k", returnBody, false, nil, 409, "shipment_closed"},
		{"returned", "/v1/shipments/" + returnedN + "/instructions", "k", returnBody, false, nil, 409, "shipment_closed"},
		{"fedex out for delivery: no redirect", "/v1/shipments/" + fedexOpen + "/instructions", "k", redirectBody,
			false, func(m *memStore, _ *memInstructions) { m.setStatus(fedexOpen, 3.5, schemas.StatusOutForDelivery) }, 409, "option_unavailable"},
		{"ups out for delivery: a redirect", path, "k", redirectBody,
			false, func(m *memStore, _ *memInstructions) { m.setStatus(upsOpen, 3.5, schemas.StatusOutForDelivery) }, 201, ""},
		{"not yet with the carrier", path, "k", returnBody,
			false, func(m *memStore, _ *memInstructions) {
				sh := m.ships[upsOpen]
				sh.Scans, sh.Timeline = sh.Scans[:1], sh.Timeline[:1]
				m.ships[upsOpen] = sh
			}, 409, "option_unavailable"},
		{"store down", path, "k", holdBody, false, func(_ *memStore, i *memInstructions) { i.failStore = true }, 503, "store_failed"},
		{"broker down", path, "k", holdBody, false, func(_ *memStore, i *memInstructions) { i.failPubly = true }, 503, "publish_failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, ins := newStore(), &memInstructions{}
			if tc.setup != nil {
				tc.setup(store, ins)
			}
			s := newInstructionServer(t, store, ins)
			body := tc.body
			if tc.noType {
				code, out := postNoType(t, s, tc.path, tc.key, body)
				if code != tc.code || errCode(out) != tc.errCode {
					t.Errorf("%d %v, want %d %s", code, out, tc.code, tc.errCode)
				}
				return
			}
			code, out := sendInstr(t, s, "POST", tc.path, tc.key, body)
			if code != tc.code || errCode(out) != tc.errCode {
				t.Errorf("%d %v, want %d %s", code, out, tc.code, tc.errCode)
			}
			// Stored when answered 201, and when stored but not published.
			if n, _ := ins.counts(); (code == 201 || tc.errCode == "publish_failed") != (n == 1) {
				t.Errorf("answered %d with %d stored", code, n)
			}
		})
	}
	s := NewServer(newStore(), nil, Options{})
	if code, out := sendInstr(t, s, "POST", path, "k", holdBody); code != 503 || errCode(out) != "not_configured" {
		t.Errorf("without a store: %d %v", code, out)
	}
}

// The same key and body answer the same instruction again, stored once;
// the same key with another body is 422; another key while one is
// pending is 409; a publish that failed is done by the retry.
func TestInstructionIdempotency(t *testing.T) {
	store, ins := newStore(), &memInstructions{}
	s := newInstructionServer(t, store, ins)
	path := "/v1/shipments/" + upsOpen + "/instructions"
	ins.failPubly = true
	if code, out := sendInstr(t, s, "POST", path, "key-1", rescheduleBody); code != 503 || errCode(out) != "publish_failed" {
		t.Fatalf("broker down: %d %v", code, out)
	}
	ins.failPubly = false
	var id any
	for i := range 3 {
		// Same body, other spacing and case: the same request.
		body := rescheduleBody
		if i == 2 {
			body = `{ "date": "2026-11-25", "type": "reschedule" }`
		}
		code, out := sendInstr(t, s, "POST", path, "key-1", body)
		if code != 201 {
			t.Fatalf("try %d: %d %v", i, code, out)
		}
		got := out["instruction"].(map[string]any)["id"]
		if i > 0 && got != id {
			t.Errorf("try %d: id %v, want %v", i, got, id)
		}
		id = got
	}
	if n, p := ins.counts(); n != 1 || p != 1 {
		t.Errorf("stored %d, published %d; want 1 and 1 (the retry publishes once)", n, p)
	}
	for _, tc := range []struct {
		name, key, body string
		code            int
		errCode         string
	}{
		{"same key, other date", "key-1", `{"type":"reschedule","date":"2026-11-24"}`, 422, "idempotency_key_reused"},
		{"same key, other type", "key-1", returnBody, 422, "idempotency_key_reused"},
		{"other key while pending", "key-2", returnBody, 409, "instruction_pending"},
	} {
		if code, out := sendInstr(t, s, "POST", path, tc.key, tc.body); code != tc.code || errCode(out) != tc.errCode {
			t.Errorf("%s: %d %v, want %d %s", tc.name, code, out, tc.code, tc.errCode)
		}
	}
	// The key names the instruction of this shipment only.
	if code, out := sendInstr(t, s, "POST", "/v1/shipments/"+fedexOpen+"/instructions", "key-1", rescheduleBody); code != 201 || out["instruction"].(map[string]any)["id"] == id {
		t.Errorf("the same key on another shipment: %d %v", code, out)
	}
	// A restart loads the instructions: the retry still answers the same.
	s2 := newInstructionServer(t, store, ins)
	if err := s2.LoadInstructions(t.Context(), ins, t0); err != nil {
		t.Fatal(err)
	}
	if code, out := sendInstr(t, s2, "POST", path, "key-1", rescheduleBody); code != 201 || out["instruction"].(map[string]any)["id"] != id {
		t.Errorf("after a restart: %d %v", code, out)
	}
	if code, out := sendInstr(t, s2, "POST", path, "key-1", returnBody); code != 422 {
		t.Errorf("after a restart, another body: %d %v", code, out)
	}
}

// A pending instruction is cancelled (again: the same answer); the ETA
// is the model's again and another can be given; one acted on is 409;
// an unknown id 404.
func TestCancelInstruction(t *testing.T) {
	store, ins := newStore(), &memInstructions{}
	s := newInstructionServer(t, store, ins)
	path := "/v1/shipments/" + upsOpen + "/instructions"
	_, before := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen+"/eta", "", "")
	_, out := sendInstr(t, s, "POST", path, "k1", rescheduleBody)
	id := out["instruction"].(map[string]any)["id"].(string)
	for i := range 2 {
		code, out := sendInstr(t, s, "DELETE", path+"/"+id, "", "")
		in, _ := out["instruction"].(map[string]any)
		if code != 200 || in["state"] != "cancelled" || in["cancelled_at"] == nil {
			t.Fatalf("cancel %d: %d %v", i, code, out)
		}
	}
	if n, p := ins.counts(); n != 2 || p != 2 || ins.published[1].State != schemas.InstructionCancelled {
		t.Errorf("stored %d, published %d: %+v", n, p, ins.published)
	}
	_, after := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen+"/eta", "", "")
	if after["eta"].(map[string]any)["p50"] != before["eta"].(map[string]any)["p50"] || after["active_instruction"] != nil {
		t.Errorf("after the cancel the ETA is %v (active %v), want the model's %v", after["eta"], after["active_instruction"], before["eta"])
	}
	_, view := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen, "", "")
	if list := view["instructions"].([]any); len(list) != 1 || list[0].(map[string]any)["state"] != "cancelled" {
		t.Errorf("view's instructions %v", view["instructions"])
	}
	code, out := sendInstr(t, s, "POST", path, "k2", holdBody)
	if code != 201 {
		t.Fatalf("a hold after the cancel: %d %v", code, out)
	}
	hold := out["instruction"].(map[string]any)["id"].(string)
	// The parcel reaches the point: the hold was acted on.
	store.setStatus(upsOpen, 5, schemas.StatusAvailableForPickup)
	for _, tc := range []struct {
		name, id string
		code     int
		errCode  string
	}{
		{"acted on", hold, 409, "instruction_acted_on"},
		{"unknown", "ins_nosuch", 404, "instruction_not_found"},
	} {
		if code, out := sendInstr(t, s, "DELETE", path+"/"+tc.id, "", ""); code != tc.code || errCode(out) != tc.errCode {
			t.Errorf("%s: %d %v, want %d %s", tc.name, code, out, tc.code, tc.errCode)
		}
	}
	_, view = sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen, "", "")
	if list := view["instructions"].([]any); len(list) != 2 || list[1].(map[string]any)["state"] != InstructionActedOn || list[1].(map[string]any)["acted_on_at"] == nil {
		t.Errorf("view's instructions %v", view["instructions"])
	}
}

// The options say, by carrier and status, which instructions can be
// given, what each needs, and the working days a reschedule may name.
func TestOptions(t *testing.T) {
	all := []bool{true, true, true, true} // hold, reschedule, redirect, return
	for _, tc := range []struct {
		name, tn  string
		setup     func(*memStore, *Server)
		available []bool
		reason    string // of the first unavailable
	}{
		{"ups picked up", upsOpen, nil, all, ""},
		{"ups out for delivery", upsOpen, func(m *memStore, _ *Server) { m.setStatus(upsOpen, 3.5, schemas.StatusOutForDelivery) }, all, ""},
		{"fedex out for delivery", fedexOpen, func(m *memStore, _ *Server) { m.setStatus(fedexOpen, 3.5, schemas.StatusOutForDelivery) },
			[]bool{true, true, false, true}, "the parcel is out for delivery"},
		{"usps out for delivery", delivered, func(m *memStore, _ *Server) {
			sh := m.ships[delivered]
			sh.Scans, sh.Timeline = sh.Scans[:1], sh.Timeline[:1]
			m.ships[delivered] = sh
			m.setStatus(delivered, 3.5, schemas.StatusOutForDelivery)
		}, []bool{true, false, false, false}, "the parcel is out for delivery"},
		{"at a pickup point", upsOpen, func(m *memStore, _ *Server) { m.setStatus(upsOpen, 3.5, schemas.StatusAvailableForPickup) },
			[]bool{false, true, false, true}, "the parcel is waiting at a pickup point"},
		{"delivered", delivered, nil, []bool{false, false, false, false}, "the parcel was delivered"},
		{"returned", returnedN, nil, []bool{false, false, false, false}, "the parcel was returned to the sender"},
		{"an instruction pending", upsOpen, func(_ *memStore, s *Server) {
			if code, out := sendInstr(t, s, "POST", "/v1/shipments/"+upsOpen+"/instructions", "k", returnBody); code != 201 {
				t.Fatalf("POST: %d %v", code, out)
			}
		}, []bool{false, false, false, false}, "is pending; cancel it first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore()
			s := newInstructionServer(t, store, &memInstructions{})
			if tc.setup != nil {
				tc.setup(store, s)
			}
			code, out := sendInstr(t, s, "GET", "/v1/shipments/"+tc.tn+"/options", "", "")
			if code != 200 {
				t.Fatalf("%d %v", code, out)
			}
			opts := out["options"].([]any)
			if len(opts) != 4 {
				t.Fatalf("options %v", opts)
			}
			reason := ""
			for i, o := range opts {
				o := o.(map[string]any)
				if o["type"] != string(schemas.InstructionTypes[i]) || o["available"] != tc.available[i] {
					t.Errorf("option %d: %v, want %s available %v", i, o, schemas.InstructionTypes[i], tc.available[i])
				}
				if r, _ := o["reason"].(string); reason == "" && !tc.available[i] {
					reason = r
				}
				if _, ok := o["requires"].([]any); !ok {
					t.Errorf("option %d: requires %v", i, o["requires"])
				}
			}
			if !strings.Contains(reason, tc.reason) {
				t.Errorf("reason %q, want %q", reason, tc.reason)
			}
			if tc.available[1] {
				// From Monday 2026-11-23: Thanksgiving and the weekend skipped.
				want := "[2026-11-24 2026-11-25 2026-11-27 2026-11-30 2026-12-01]"
				if got := fmtList(opts[1].(map[string]any)["dates"]); got != want {
					t.Errorf("reschedule dates %v, want %s", got, want)
				}
			}
		})
	}
}

func fmtList(v any) string {
	l, _ := v.([]any)
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i], _ = x.(string)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Requests of one key at once give one instruction, stored and
// published once; each gets its answer.
func TestInstructionConcurrentRetries(t *testing.T) {
	store, ins := newStore(), &memInstructions{}
	s := newInstructionServer(t, store, ins)
	const n = 8
	ids := make(chan any, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			code, out := sendInstr(t, s, "POST", "/v1/shipments/"+upsOpen+"/instructions", "same-key", holdBody)
			if code != 201 {
				t.Errorf("%d %v", code, out)
				ids <- nil
				return
			}
			ids <- out["instruction"].(map[string]any)["id"]
		})
	}
	wg.Wait()
	close(ids)
	first := <-ids
	for id := range ids {
		if id != first {
			t.Errorf("ids %v and %v", first, id)
		}
	}
	if stored, published := ins.counts(); stored != 1 || published != 1 {
		t.Errorf("stored %d, published %d; want 1 and 1", stored, published)
	}
}

// Instructions from the topic (another replica's) are shown and respected:
// a late pending copy does not undo a cancellation, and a retry of the
// other replica's request is answered as that request.
func TestApplyInstructions(t *testing.T) {
	store := newStore()
	s := newInstructionServer(t, store, &memInstructions{})
	sh := store.ships[upsOpen]
	at := instructionNow.Add(-time.Hour).UTC()
	pending := schemas.Instruction{ID: instructionID(&sh, "k1"), Type: schemas.InstructionReschedule, State: schemas.InstructionPending,
		TrackingNumber: upsOpen, Carrier: sh.Carrier, Date: "2026-11-24", CreatedAt: at, IdempotencyKey: "k1"}
	cancelled := pending
	cancelled.State, cancelled.CancelledAt = schemas.InstructionCancelled, &at
	s.ApplyInstructions([]schemas.Instruction{pending, {ID: "", TrackingNumber: upsOpen}})
	path := "/v1/shipments/" + upsOpen + "/instructions"
	if code, out := sendInstr(t, s, "POST", path, "k2", `{"type":"return_to_sender"}`); code != 409 || errCode(out) != "instruction_pending" {
		t.Errorf("another instruction while the other replica's is pending: %d %v", code, out)
	}
	if code, out := sendInstr(t, s, "POST", path, "k1", `{"type":"reschedule","date":"2026-11-24"}`); code != 201 || out["instruction"].(map[string]any)["id"] != pending.ID {
		t.Errorf("its retry here: %d %v", code, out)
	}
	s.ApplyInstructions([]schemas.Instruction{cancelled, pending}) // the pending copy comes late
	_, view := sendInstr(t, s, "GET", "/v1/shipments/"+upsOpen, "", "")
	list, _ := view["instructions"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["state"] != "cancelled" {
		t.Errorf("instructions %v, want the one, cancelled", list)
	}
}

// An instruction stored but not published is published again in the
// background once the broker is back: the client need not retry.
func TestRunRepublish(t *testing.T) {
	store, ins := newStore(), &memInstructions{failPubly: true}
	s := newInstructionServer(t, store, ins)
	if code, out := sendInstr(t, s, "POST", "/v1/shipments/"+upsOpen+"/instructions", "k1", rescheduleBody); code != 503 || errCode(out) != "publish_failed" {
		t.Fatalf("with the broker down: %d %v", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.RunRepublish(ctx, 5*time.Millisecond) }()
	time.Sleep(30 * time.Millisecond) // a few tries, still failing
	ins.mu.Lock()
	ins.failPubly = false
	ins.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, published := ins.counts(); published == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not published again in 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond) // and not again after that
	cancel()
	<-done
	if _, published := ins.counts(); published != 1 {
		t.Errorf("published %d times, want once", published)
	}
}
