package predict

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// memJourneys serves shipments made of journeys from a map.
type memJourneys map[string]model.Journey

func (m memJourneys) Shipment(_ context.Context, tn string) (Shipment, bool, error) {
	if tn == "FAILINGLOOKUP1" {
		return Shipment{}, false, errors.New("clickhouse down")
	}
	j, ok := m[tn]
	return Shipment{Journey: j}, ok, nil
}

var t0 = time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)

func testModel() *model.Model {
	// A model whose every prediction is bias-only: exp(ln(25)) - 1 = 24 h.
	// It knows ups ground and the areas US1 and US9, with coefficients 0.
	features := append(append([]string{"bias"}, model.CarrierServiceFeatures("ups|ground")...), "o:US1", "d:US9")
	coef := make([]float64, len(features))
	coef[0] = 3.2188758248682006
	m := &model.Model{
		FormatVersion: model.FormatVersion, FeatureSchema: model.FeatureSchema(), Version: "test-1",
		Features: features,
		Lane:     &model.Fit{TargetScale: 1, Coef: coef, Residuals: map[string][]float64{"*": residualLevels()}},
		DayWindows: &model.DayWindows{
			OutForDelivery: model.DayPath{Mass: 0.82, Coverage: 0.8}, ETADay: model.DayPath{Mass: 0.8, Coverage: 0.79},
			Cells: map[string]model.DayCell{
				"5|*|*|*|any":  {N: 1000, Start: 9 * 60, End: 17 * 60, Mass: 0.8},
				"5|*|*|*|8_10": {N: 800, Start: 10*60 + 30, End: 16 * 60, Mass: 0.82},
			},
		},
	}
	return m
}

// residualLevels spreads the residual quantiles evenly around 0, from
// -0.9 at the 5% level to +0.9 at 95%.
func residualLevels() []float64 {
	q := make([]float64, len(model.ResidualLevels))
	for i, l := range model.ResidualLevels {
		q[i] = (l - 0.5) * 2
	}
	return q
}

func newTestServer(t testing.TB) *Server {
	t.Helper()
	path := t.TempDir() + "/m.json"
	if _, err := testModel().Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	j := memJourneys{
		"1Z999AA10123456784": {TrackingNumber: "1Z999AA10123456784", Carrier: "ups", Service: "ground", Scans: []model.Scan{
			{Time: t0, Status: schemas.StatusInfoReceived}, {Time: t0.Add(3 * time.Hour), Status: schemas.StatusPickedUp},
		}},
		"9400111899223100000017": {TrackingNumber: "9400111899223100000017", Carrier: "usps", Scans: []model.Scan{
			{Time: t0, Status: schemas.StatusPickedUp}, {Time: t0.Add(30 * time.Hour), Status: schemas.StatusDelivered},
		}},
		// Out for delivery at 08:30 local (UTC−5): the morning's window.
		"1Z999AA10123456800": {TrackingNumber: "1Z999AA10123456800", Carrier: "ups", Service: "ground", Scans: []model.Scan{
			{Time: t0.Add(-24 * time.Hour), Status: schemas.StatusPickedUp, OffsetMinutes: -300},
			{Time: time.Date(2026, 11, 23, 13, 30, 0, 0, time.UTC), Status: schemas.StatusOutForDelivery, OffsetMinutes: -300},
		}},
		"799531274483": {TrackingNumber: "799531274483", Carrier: "fedex", ShipmentKey: "2461~799531274483~FDEG", Scans: []model.Scan{
			{Time: t0.Add(time.Hour), Status: schemas.StatusPickedUp},
		}},
	}
	return NewServer(j, m, Options{Now: func() time.Time { return t0.Add(4 * time.Hour) }})
}

func do(t *testing.T, s *Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, path, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: content type %q", method, path, ct)
	}
	return rec.Code, out
}

func TestETA(t *testing.T) {
	s := newTestServer(t)
	code, body := do(t, s, "GET", "/v1/shipments/1z999aa1-0123456784/eta", "")
	if code != 200 {
		t.Fatalf("code %d: %v", code, body)
	}
	eta := body["eta"].(map[string]any)
	// Last scan at t0+3h, 24 h to go.
	if eta["p50"] != t0.Add(27*time.Hour).Format(time.RFC3339) {
		t.Errorf("p50 = %v", eta["p50"])
	}
	p10, _ := time.Parse(time.RFC3339, eta["p10"].(string))
	p90, _ := time.Parse(time.RFC3339, eta["p90"].(string))
	p95, _ := time.Parse(time.RFC3339, eta["p95_commit"].(string))
	if !(p10.Before(t0.Add(27*time.Hour)) && p90.After(t0.Add(27*time.Hour)) && p95.After(p90)) {
		t.Errorf("window not ordered: %v", eta)
	}
	if body["model_version"] != "test-1" || body["status"] != "picked_up" {
		t.Errorf("body = %v", body)
	}

	code, body = do(t, s, "GET", "/v1/shipments/9400111899223100000017/eta", "")
	if code != 200 || body["status"] != "delivered" || body["delivered_at"] == nil || body["eta"] != nil || body["shipment_key"] != nil {
		t.Errorf("delivered shipment: %d %v", code, body)
	}

	// The journey answered for is named: its key and first scan.
	code, body = do(t, s, "GET", "/v1/shipments/799531274483/eta", "")
	if code != 200 || body["shipment_key"] != "2461~799531274483~FDEG" || body["first_scan_at"] != t0.Add(time.Hour).Format(time.RFC3339) {
		t.Errorf("keyed shipment: %d %v", code, body)
	}
}

func TestErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		method, path, body string
		code               int
		errCode            string
	}{
		{"GET", "/v1/shipments/abc/eta", "", 400, "invalid_tracking_number"},
		{"GET", "/v1/shipments/1Z999AA1012345678%27%3B/eta", "", 400, "invalid_tracking_number"},
		{"GET", "/v1/shipments/1Z999AA10123456793/eta", "", 404, "not_found"},
		{"GET", "/v1/shipments/1Z999AA10123456799/eta", "", 400, "invalid_tracking_number"}, // wrong check digit
		{"GET", "/v1/shipments/FAILINGLOOKUP1/eta", "", 503, "lookup_failed"},
		{"POST", "/v1/estimates", "{", 400, "invalid_json"},
		{"POST", "/v1/estimates", `{"carrier":"ups","bogus":1}`, 400, "invalid_json"},
		{"POST", "/v1/estimates", `{"carrier":"ups"}`, 400, "invalid_request"},
		{"GET", "/v1/nothing", "", 404, "not_found"},
	} {
		code, body := do(t, s, tc.method, tc.path, tc.body)
		e, _ := body["error"].(map[string]any)
		if code != tc.code || e == nil || e["code"] != tc.errCode || e["message"] == "" {
			t.Errorf("%s %s %s: %d %v, want %d %s", tc.method, tc.path, tc.body, code, body, tc.code, tc.errCode)
		}
	}
}

func TestEstimate(t *testing.T) {
	s := newTestServer(t)
	code, body := do(t, s, "POST", "/v1/estimates",
		`{"carrier":"UPS","service":"ground","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"94103","country":"US"},"ship_time":"2026-11-23T15:00:00Z"}`)
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	if body["carrier"] != "ups" || body["eta"].(map[string]any)["p50"] != t0.Add(24*time.Hour).Format(time.RFC3339) {
		t.Errorf("body = %v", body)
	}
}

func TestReadyAndHotReload(t *testing.T) {
	s := NewServer(memJourneys{}, nil, Options{})
	if code, _ := do(t, s, "GET", "/readyz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz without a model: %d", code)
	}
	path := t.TempDir() + "/m.json"
	if _, err := testModel().Save(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { WatchModel(ctx, path, 10*time.Millisecond, s, nil); close(done) }()
	// First load comes from a change of the file.
	m := testModel()
	m.Version = "test-2"
	time.Sleep(20 * time.Millisecond)
	if _, err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.Model() != nil && s.Model().Version == "test-2" })
	// A corrupt file is refused; the old model keeps serving.
	if err := os.WriteFile(path, []byte(`{"format":"parcelcast-eta-model","format_version":1,"sha256":"00","model":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if s.Model() == nil || s.Model().Version != "test-2" {
		t.Fatalf("corrupt model replaced the served one: %+v", s.Model())
	}
	if code, body := do(t, s, "GET", "/readyz", ""); code != 200 || body["model_version"] != "test-2" {
		t.Fatalf("readyz: %d %v", code, body)
	}
	cancel()
	<-done
}
