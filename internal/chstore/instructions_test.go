package chstore_test

import (
	"context"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-json"
	"github.com/parcelcast/parcelcast/internal/chstore"
	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/predict"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestInstructions stores instructions and a cancellation, and reads
// back each as it stands, the cancellation winning, oldest first, none
// created before since.
func TestInstructions(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	s := chstore.NewInstructions(db)
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	addr := &schemas.Address{Line1: "1 Main St", City: "Oakland", Region: "CA", PostalCode: "94607", Country: "US"}
	cancelled := t0.Add(2 * time.Hour)
	for _, tc := range []struct {
		name string
		puts []schemas.Instruction
	}{
		{"one of each kind", []schemas.Instruction{
			{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionPending, TrackingNumber: "1ZA", Carrier: "ups",
				ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), IdempotencyKey: "k1", RequestHash: "h1"},
			{ID: "ins_b", Type: schemas.InstructionReschedule, State: schemas.InstructionPending, TrackingNumber: "7B", Carrier: "fedex",
				ShipmentKey: "k~7B", ShipmentStart: t0, Date: "2026-11-30", CreatedAt: t0.Add(90 * time.Minute), IdempotencyKey: "k2", RequestHash: "h2"},
			{ID: "ins_old", Type: schemas.InstructionReturnToSender, State: schemas.InstructionPending, TrackingNumber: "1ZO", Carrier: "ups",
				ShipmentStart: t0, CreatedAt: t0.Add(-48 * time.Hour), IdempotencyKey: "k3", RequestHash: "h3"},
		}},
		{"cancelled", []schemas.Instruction{
			{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionCancelled, TrackingNumber: "1ZA", Carrier: "ups",
				ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), CancelledAt: &cancelled, IdempotencyKey: "k1", RequestHash: "h1"},
		}},
	} {
		for i, in := range tc.puts {
			at := in.CreatedAt
			if in.CancelledAt != nil {
				at = *in.CancelledAt
			}
			if err := s.PutInstruction(ctx, in, at); err != nil {
				t.Fatalf("%s: put %d: %v", tc.name, i, err)
			}
		}
	}
	var got []schemas.Instruction
	if err := s.Since(ctx, t0.Add(-time.Hour), func(in schemas.Instruction) error { got = append(got, in); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []schemas.Instruction{
		{ID: "ins_a", Type: schemas.InstructionRedirect, State: schemas.InstructionCancelled, TrackingNumber: "1ZA", Carrier: "ups",
			ShipmentStart: t0, Address: addr, CreatedAt: t0.Add(time.Hour), CancelledAt: &cancelled, IdempotencyKey: "k1", RequestHash: "h1"},
		{ID: "ins_b", Type: schemas.InstructionReschedule, State: schemas.InstructionPending, TrackingNumber: "7B", Carrier: "fedex",
			ShipmentKey: "k~7B", ShipmentStart: t0, Date: "2026-11-30", CreatedAt: t0.Add(90 * time.Minute), IdempotencyKey: "k2", RequestHash: "h2"},
	}
	for i := range got {
		got[i].ShipmentStart, got[i].CreatedAt = got[i].ShipmentStart.UTC(), got[i].CreatedAt.UTC()
		if got[i].CancelledAt != nil {
			c := got[i].CancelledAt.UTC()
			got[i].CancelledAt = &c
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
}

// memShipments is the memory fake of the live state's shipments.
type memShipments map[string]predict.Shipment

func (m memShipments) Shipment(_ context.Context, tn string) (predict.Shipment, bool, error) {
	sh, ok := m[tn]
	return sh, ok, nil
}

// instructionModel predicts 24 h for every lane, 24·e^0.5 h to the area
// US1 (New York).
func instructionModel(t *testing.T) *model.Model {
	t.Helper()
	features := append(append([]string{"bias"}, model.CarrierServiceFeatures("ups|ground")...), "d:US1")
	coef := make([]float64, len(features))
	coef[0], coef[len(coef)-1] = 3.2188758248682006, 0.5
	m := &model.Model{FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "test-1", Features: features,
		Lane: &model.Fit{TargetScale: 1, Coef: coef, Residuals: map[string][]float64{"*": make([]float64, len(model.ResidualLevels))}}}
	path := t.TempDir() + "/m.json"
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// TestInstructionsEndToEnd gives each instruction type through the API
// with the instructions stored in ClickHouse; a server started again
// loads them, shows them in the shipment views with the same ETAs, and
// answers a retried request as before; a cancellation is stored too.
func TestInstructionsEndToEnd(t *testing.T) {
	ctx := context.Background()
	_, db := env.Database(t)
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC) // a Monday, 10:00 at UTC−5
	now := func() time.Time { return t0.Add(4 * time.Hour) }
	ship := func(tn string) predict.Shipment {
		sh := predict.Shipment{Journey: model.Journey{TrackingNumber: tn, Carrier: "ups", Service: "ground",
			Origin:      schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"},
			Destination: schemas.Location{PostalCode: "94103", Region: "CA", Country: "US"}}, UpdatedAt: t0.Add(3*time.Hour + time.Minute)}
		for i, st := range []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp} {
			sc := model.Scan{Time: t0.Add(time.Duration(3*i) * time.Hour), Status: st, OffsetMinutes: -300}
			sh.Scans = append(sh.Scans, sc)
			sh.Timeline = append(sh.Timeline, predict.TimelineScan{Time: sc.Time, OffsetMinutes: -300, Status: st})
		}
		return sh
	}
	cases := []struct {
		tn, body string
		expected string
	}{
		{"1Z999AA10123456784", `{"type":"hold_at_location","pickup_point":{"id":"UPS-AP-1","address":{"line1":"1 King St","city":"San Francisco","postal_code":"94107","country":"US"}}}`, "available_for_pickup"},
		{"1Z999AA10123456793", `{"type":"reschedule","date":"2026-11-25"}`, "delivered"},
		{"1Z999AA10123456800", `{"type":"redirect","address":{"line1":"10 Broadway","city":"New York","region":"NY","postal_code":"10004","country":"US"}}`, "delivered"},
		{"9400111899223100000017", `{"type":"return_to_sender"}`, "returned_to_sender"},
	}
	ships := memShipments{}
	for _, tc := range cases {
		ships[tc.tn] = ship(tc.tn)
	}
	m := instructionModel(t)
	store := chstore.NewInstructions(db)
	start := func() *predict.Server {
		s := predict.NewServer(ships, m, predict.Options{Now: now, Instructions: store})
		if err := s.LoadInstructions(ctx, store, t0.Add(-24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		return s
	}
	call := func(s *predict.Server, method, path, key, body string) (int, map[string]any) {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w.Code, out
	}
	s := start()
	_, plain := call(s, "GET", "/v1/shipments/"+cases[0].tn+"/eta", "", "")
	views := map[string]map[string]any{}
	ids := map[string]string{}
	for _, tc := range cases {
		code, out := call(s, "POST", "/v1/shipments/"+tc.tn+"/instructions", "key-"+tc.tn, tc.body)
		if code != 201 {
			t.Fatalf("%s: POST %d %v", tc.tn, code, out)
		}
		ids[tc.tn] = out["instruction"].(map[string]any)["id"].(string)
		_, views[tc.tn] = call(s, "GET", "/v1/shipments/"+tc.tn, "", "")
	}
	// The redirect to New York is estimated from there.
	if views[cases[2].tn]["eta"].(map[string]any)["p50"] == plain["eta"].(map[string]any)["p50"] {
		t.Errorf("the redirect's ETA %v is the plain one", views[cases[2].tn]["eta"])
	}
	restarted := start()
	for _, tc := range cases {
		_, view := call(restarted, "GET", "/v1/shipments/"+tc.tn, "", "")
		list := view["instructions"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["id"] != ids[tc.tn] || list[0].(map[string]any)["state"] != "pending" {
			t.Errorf("%s after a restart: instructions %v", tc.tn, list)
		}
		if view["expected_event"] != tc.expected || view["latest_estimate"].(map[string]any)["changed_by"] != "delivery_instruction" {
			t.Errorf("%s after a restart: expected_event %v, latest %v", tc.tn, view["expected_event"], view["latest_estimate"])
		}
		if got, want := view["eta"], views[tc.tn]["eta"]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s after a restart: eta %v, before %v", tc.tn, got, want)
		}
		if code, out := call(restarted, "POST", "/v1/shipments/"+tc.tn+"/instructions", "key-"+tc.tn, tc.body); code != 201 || out["instruction"].(map[string]any)["id"] != ids[tc.tn] {
			t.Errorf("%s: the retry after a restart: %d %v", tc.tn, code, out)
		}
		if code, _ := call(restarted, "POST", "/v1/shipments/"+tc.tn+"/instructions", "key-"+tc.tn, `{"type":"reschedule","date":"2026-11-24"}`); code != 422 {
			t.Errorf("%s: the key again with another body after a restart: %d", tc.tn, code)
		}
	}
	tn := cases[1].tn
	if code, out := call(restarted, "DELETE", "/v1/shipments/"+tn+"/instructions/"+ids[tn], "", ""); code != 200 {
		t.Fatalf("cancel: %d %v", code, out)
	}
	_, view := call(start(), "GET", "/v1/shipments/"+tn, "", "")
	if list := view["instructions"].([]any); len(list) != 1 || list[0].(map[string]any)["state"] != "cancelled" || view["active_instruction"] != nil {
		t.Errorf("after the cancel and a restart: %v, active %v", list, view["active_instruction"])
	}
}
