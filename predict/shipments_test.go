package predict

import (
	"cmp"
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// memStore is the memory fake of everything the shipment, reference and
// order routes read and write.
type memStore struct {
	mu    sync.Mutex
	ships map[string]Shipment
	// stored are the PUTs that reached the store, set those that reached
	// the live state.
	stored, set            []string
	failStore, failSetting bool
}

func (m *memStore) Shipment(_ context.Context, tn string) (Shipment, bool, error) {
	if tn == "FAILINGLOOKUP1" {
		return Shipment{}, false, errors.New("clickhouse down")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	sh, ok := m.ships[tn]
	return sh, ok, nil
}

func (m *memStore) ByOrder(_ context.Context, ref string) ([]Shipment, error) {
	if ref == "FAILING" {
		return nil, errors.New("clickhouse down")
	}
	return m.matching(func(sh *Shipment) bool { return sh.OrderRef == ref }), nil
}

func (m *memStore) ByCustomer(_ context.Context, ref, after string, limit int) ([]Shipment, string, error) {
	if ref == "FAILING" {
		return nil, "", errors.New("clickhouse down")
	}
	all := m.matching(func(sh *Shipment) bool { return sh.CustomerRef == ref })
	from := 0
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", &BadCursorError{Cursor: after}
		}
		from = n
	}
	to := min(from+limit, len(all))
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return all[from:to], next, nil
}

// matching are the shipments keep accepts, in flight first, then by
// latest scan, newest first.
func (m *memStore) matching(keep func(*Shipment) bool) []Shipment {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Shipment
	for _, sh := range m.ships {
		if keep(&sh) {
			out = append(out, sh)
		}
	}
	flying := func(sh *Shipment) int {
		if sh.Scans[len(sh.Scans)-1].Status.Terminal() {
			return 1
		}
		return 0
	}
	slices.SortFunc(out, func(a, b Shipment) int {
		return cmp.Or(cmp.Compare(flying(&a), flying(&b)), b.Scans[len(b.Scans)-1].Time.Compare(a.Scans[len(a.Scans)-1].Time),
			cmp.Compare(a.TrackingNumber, b.TrackingNumber))
	})
	return out
}

func (m *memStore) PutReferences(_ context.Context, tn, order, customer string, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failStore {
		return errors.New("clickhouse down")
	}
	m.stored = append(m.stored, tn+":"+order+":"+customer)
	return nil
}

func (m *memStore) SetReferences(_ context.Context, tn string, refs References) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failSetting {
		return errors.New("live state full")
	}
	m.set = append(m.set, tn+":"+refs.OrderRef+":"+refs.CustomerRef)
	sh := m.ships[tn]
	sh.References = refs
	m.ships[tn] = sh
	return nil
}

// ship makes a shipment of scans at hours after t0 with the statuses.
func ship(tn, carrier string, hours []float64, statuses []schemas.Status, refs References) Shipment {
	sh := Shipment{Journey: model.Journey{TrackingNumber: tn, Carrier: carrier, Service: "ground",
		Origin:      schemas.Location{PostalCode: "10001", Region: "NY", Country: "US"},
		Destination: schemas.Location{PostalCode: "94103", Region: "CA", Country: "US"}},
		References: refs, UpdatedAt: t0.Add(time.Duration(hours[len(hours)-1]*float64(time.Hour)) + time.Minute)}
	for i, h := range hours {
		at := t0.Add(time.Duration(h * float64(time.Hour)))
		sh.Scans = append(sh.Scans, model.Scan{Time: at, Status: statuses[i], OffsetMinutes: -300})
		sh.Timeline = append(sh.Timeline, TimelineScan{EventID: "e" + strconv.Itoa(i), Time: at, OffsetMinutes: -300, Status: statuses[i],
			CarrierCode: "C" + strconv.Itoa(i), Description: "scan " + strconv.Itoa(i), StatusDetail: "detail" + strconv.Itoa(i),
			Location: schemas.Location{City: "Newark", Region: "NJ", Country: "US"}, Mode: "ground"})
	}
	sh.Mode = "ground"
	return sh
}

var (
	picked   = []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp}
	arrived  = []schemas.Status{schemas.StatusPickedUp, schemas.StatusDelivered}
	returned = []schemas.Status{schemas.StatusPickedUp, schemas.StatusReturnedToSender}
)

func newStore() *memStore {
	withPromise := func(sh Shipment, h float64) Shipment {
		sh.Promised = t0.Add(time.Duration(h * float64(time.Hour)))
		return sh
	}
	order := References{OrderRef: "ORD-1", CustomerRef: "CUS-1"}
	m := &memStore{ships: map[string]Shipment{
		"1Z999AA10123456784":     withPromise(ship("1Z999AA10123456784", "ups", []float64{0, 3}, picked, order), 72),
		"9400111899223100000017": withPromise(ship("9400111899223100000017", "usps", []float64{0, 30}, arrived, order), 24),
		"799531274483":           withPromise(ship("799531274483", "fedex", []float64{1}, picked[1:], References{CustomerRef: "CUS-1"}), 40),
		"1Z999AA10123456793":     withPromise(ship("1Z999AA10123456793", "ups", []float64{0, 3}, picked, References{OrderRef: "ORD-2", CustomerRef: "CUS-1"}), 20),
		"RB123456785GB":          ship("RB123456785GB", "regional", []float64{0, 10}, returned, References{OrderRef: "ORD-1", CustomerRef: "CUS-2"}),
		"LX40012345678":          ship("LX40012345678", "lasership", []float64{0, 2}, arrived, References{OrderRef: "ORD-3"}),
	}}
	return m
}

func newShipmentServer(t *testing.T, store *memStore) *Server {
	t.Helper()
	base := newTestServer(t)
	return NewServer(store, base.Model(), Options{Now: func() time.Time { return t0.Add(4 * time.Hour) },
		Orders: store, References: store, LiveReferences: store})
}

func rfc(h float64) string { return t0.Add(time.Duration(h * float64(time.Hour))).Format(time.RFC3339) }

func TestShipmentView(t *testing.T) {
	s := newShipmentServer(t, newStore())
	m := s.Model()
	j := newStore().ships["1Z999AA10123456784"].Journey
	first, last := m.Predict(j.SnapshotAt(0)), m.Predict(j.SnapshotAt(1))
	for _, tc := range []struct {
		tn                  string
		status, onTime, url string
		order               string
		eta                 bool
		latestAt, changedBy string
	}{
		// Promise at t0+72h, p90 before it.
		{"1Z999AA10123456784", "picked_up", "on_time", "https://www.ups.com/track?tracknum=1Z999AA10123456784", "ORD-1", true, rfc(3), "new_scan"},
		// Delivered at t0+30h, promised t0+24h.
		{"9400111899223100000017", "delivered", "late", "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100000017", "ORD-1", false, rfc(0), "none"},
		// p50 at t0+25h before the promise at t0+40h, p90 after it.
		{"799531274483", "picked_up", "at_risk", "https://www.fedex.com/fedextrack/?trknbr=799531274483", "", true, rfc(1), "none"},
		// p50 at t0+27h, past the promise at t0+20h.
		{"1Z999AA10123456793", "picked_up", "late", "https://www.ups.com/track?tracknum=1Z999AA10123456793", "ORD-2", true, rfc(3), "new_scan"},
		// Returned: no promise rating; an S10 number goes to its issuing post.
		{"RB123456785GB", "returned_to_sender", "", "https://www.royalmail.com/track-your-item#/tracking-results/RB123456785GB", "ORD-1", false, rfc(0), "none"},
	} {
		code, body := do(t, s, "GET", "/v1/shipments/"+tc.tn, "")
		if code != 200 {
			t.Fatalf("%s: %d %v", tc.tn, code, body)
		}
		refs := body["references"].(map[string]any)
		if body["status"] != tc.status || body["tracking_url"] != tc.url || refs["order_ref"] != tc.order ||
			(body["eta"] != nil) != tc.eta || body["mode"] != "ground" || body["status_detail"] != "detail"+strconv.Itoa(len(body["timeline"].([]any))-1) {
			t.Errorf("%s: %v", tc.tn, body)
		}
		if got, _ := body["on_time_status"].(string); got != tc.onTime {
			t.Errorf("%s: on_time_status %q, want %q", tc.tn, got, tc.onTime)
		}
		if ex, ok := body["exceptions"].([]any); !ok || len(ex) != 0 {
			t.Errorf("%s: exceptions %v, want []", tc.tn, body["exceptions"])
		}
		latest := body["latest_estimate"].(map[string]any)
		if latest["at"] != tc.latestAt || latest["changed_by"] != tc.changedBy || body["first_estimate"].(map[string]any)["at"] != rfc(first0(tc.tn)) {
			t.Errorf("%s: estimates %v %v", tc.tn, body["first_estimate"], latest)
		}
	}

	// The timeline: every scan, in UTC and in local time, with the carrier's code and text.
	_, body := do(t, s, "GET", "/v1/shipments/1z999aa10123456784", "")
	tl := body["timeline"].([]any)
	if len(tl) != 2 {
		t.Fatalf("timeline %v", tl)
	}
	e := tl[1].(map[string]any)
	if e["time"] != "2026-11-23T18:00:00Z" || e["local_time"] != "2026-11-23T13:00:00-05:00" || e["utc_offset_minutes"] != -300.0 ||
		e["status"] != "picked_up" || e["carrier_code"] != "C1" || e["description"] != "scan 1" || e["location"].(map[string]any)["city"] != "Newark" {
		t.Errorf("timeline entry %v", e)
	}
	// The estimates: the model at the first scan and at the last, not moved to now.
	fe, le := body["first_estimate"].(map[string]any), body["latest_estimate"].(map[string]any)
	hours := func(v any) float64 {
		at, _ := time.Parse(time.RFC3339, v.(string))
		return at.Sub(t0).Hours()
	}
	if d := hours(fe["p50"]) - (0 + first.P50); d < -0.02 || d > 0.02 || fe["scans"] != 1.0 || fe["model_version"] != "test-1" {
		t.Errorf("first estimate %v, want p50 %.2f h after t0", fe, first.P50)
	}
	if d := hours(le["p50"]) - (3 + last.P50); d < -0.02 || d > 0.02 || le["scans"] != 2.0 {
		t.Errorf("latest estimate %v, want p50 %.2f h after t0", le, 3+last.P50)
	}
	if body["promised_delivery"] != rfc(72) || body["updated_at"] != t0.Add(3*time.Hour+time.Minute).Format(time.RFC3339) {
		t.Errorf("promise or update: %v %v", body["promised_delivery"], body["updated_at"])
	}

	// Without a model: the view, without an ETA or estimates.
	bare := NewServer(newStore(), nil, Options{Now: func() time.Time { return t0.Add(4 * time.Hour) }})
	code, body := do(t, bare, "GET", "/v1/shipments/1Z999AA10123456784", "")
	if code != 200 || body["eta"] != nil || body["first_estimate"] != nil || len(body["timeline"].([]any)) != 2 {
		t.Errorf("without a model: %d %v", code, body)
	}
}

// first0 is the hour of the first scan of the test shipments.
func first0(tn string) float64 {
	if tn == "799531274483" {
		return 1
	}
	return 0
}

func TestETAToGo(t *testing.T) {
	s := newShipmentServer(t, newStore())
	code, body := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784/eta", "")
	// p50 at t0+27h (Tuesday 18:00 UTC), now t0+4h (Monday 19:00 UTC).
	if code != 200 || body["hours_to_go"] != 23.0 || body["business_days_to_go"] != 1.0 || body["eta"].(map[string]any)["confidence"] != 0.8 {
		t.Errorf("%d %v", code, body)
	}
	code, body = do(t, s, "GET", "/v1/shipments/9400111899223100000017/eta", "")
	if code != 200 || body["hours_to_go"] != nil || body["business_days_to_go"] != nil {
		t.Errorf("delivered: %d %v", code, body)
	}
}

func TestOnTimeStatus(t *testing.T) {
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	eta := &Window{P50: at(10), P90: at(20)}
	delivered := at(15)
	for _, tc := range []struct {
		name      string
		promise   time.Time
		delivered *time.Time
		eta       *Window
		want      string
	}{
		{"no promise", time.Time{}, nil, eta, ""},
		{"no eta", at(30), nil, nil, ""},
		{"p90 before", at(30), nil, eta, OnTime},
		{"p90 on it", at(20), nil, eta, OnTime},
		{"p90 after", at(19), nil, eta, AtRisk},
		{"p50 on it", at(10), nil, eta, AtRisk},
		{"p50 after", at(9), nil, eta, Late},
		{"delivered before", at(16), &delivered, nil, OnTime},
		{"delivered on it", at(15), &delivered, nil, OnTime},
		{"delivered after", at(14), &delivered, eta, Late},
	} {
		if got := onTimeStatus(tc.promise, tc.delivered, tc.eta); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPutReferences(t *testing.T) {
	const path = "/v1/shipments/1Z999AA10123456784/references"
	for _, tc := range []struct {
		name, path, body, contentType   string
		failStore, failSetting, noStore bool
		code                            int
		errCode                         string
	}{
		{name: "set", body: `{"order_ref":"ORD-9","customer_ref":"CUS-9"}`, code: 200},
		{name: "clear one", body: `{"order_ref":"ORD-9"}`, code: 200},
		{name: "media type with charset", body: `{"order_ref":"ORD-9"}`, contentType: "application/json; charset=utf-8", code: 200},
		{name: "not JSON", body: `{`, code: 400, errCode: "invalid_json"},
		{name: "unknown field", body: `{"order_ref":"A","bogus":1}`, code: 400, errCode: "invalid_json"},
		{name: "trailing data", body: `{"order_ref":"A"} {}`, code: 400, errCode: "invalid_json"},
		{name: "wrong type", body: `{"order_ref":7}`, code: 400, errCode: "invalid_json"},
		{name: "no body", body: ``, code: 400, errCode: "invalid_json"},
		{name: "too long", body: `{"order_ref":"` + strings.Repeat("x", 129) + `"}`, code: 400, errCode: "invalid_request"},
		{name: "control character", body: `{"customer_ref":"a\u0000b"}`, code: 400, errCode: "invalid_request"},
		{name: "padded", body: `{"customer_ref":" a"}`, code: 400, errCode: "invalid_request"},
		{name: "not JSON media type", body: `{"order_ref":"A"}`, contentType: "text/plain", code: 415, errCode: "unsupported_media_type"},
		{name: "malformed number", path: "/v1/shipments/abc/references", body: `{}`, code: 400, errCode: "invalid_tracking_number"},
		{name: "no shipment", path: "/v1/shipments/1Z999AA10123456800/references", body: `{}`, code: 404, errCode: "not_found"},
		{name: "lookup down", path: "/v1/shipments/FAILINGLOOKUP1/references", body: `{}`, code: 503, errCode: "lookup_failed"},
		{name: "store down", body: `{"order_ref":"A"}`, failStore: true, code: 503, errCode: "store_failed"},
		{name: "live refuses", body: `{"order_ref":"A"}`, failSetting: true, code: 503, errCode: "apply_failed"},
		{name: "no store", body: `{"order_ref":"A"}`, noStore: true, code: 503, errCode: "not_configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore()
			store.failStore, store.failSetting = tc.failStore, tc.failSetting
			s := newShipmentServer(t, store)
			if tc.noStore {
				s = NewServer(store, s.Model(), Options{Orders: store})
			}
			p := cmp.Or(tc.path, path)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("PUT", p, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", cmp.Or(tc.contentType, "application/json"))
			s.ServeHTTP(rec, req)
			code, body := rec.Code, decode(t, rec)
			if code != tc.code {
				t.Fatalf("%d %v, want %d", code, body, tc.code)
			}
			if tc.code != 200 {
				if e, _ := body["error"].(map[string]any); e == nil || e["code"] != tc.errCode || e["message"] == "" {
					t.Errorf("error %v, want %s", body, tc.errCode)
				}
				if tc.errCode != "apply_failed" && len(store.stored) > 0 || len(store.set) > 0 {
					t.Errorf("refused PUT stored %v, set %v", store.stored, store.set)
				}
				return
			}
			var want ReferencesBody
			_ = jsonUnmarshal(tc.body, &want)
			if len(store.stored) != 1 || store.stored[0] != "1Z999AA10123456784:"+want.OrderRef+":"+want.CustomerRef ||
				len(store.set) != 1 || store.set[0] != store.stored[0] {
				t.Errorf("stored %v, set %v", store.stored, store.set)
			}
			// The next read sees them.
			_, view := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784", "")
			if r := view["references"].(map[string]any); r["order_ref"] != want.OrderRef || r["customer_ref"] != want.CustomerRef {
				t.Errorf("references after PUT: %v", r)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	s := newShipmentServer(t, newStore())
	code, body := do(t, s, "GET", "/v1/orders/ORD-1", "")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	ships := body["shipments"].([]any)
	var numbers []string
	for _, sh := range ships {
		numbers = append(numbers, sh.(map[string]any)["tracking_number"].(string))
	}
	slices.Sort(numbers)
	if !slices.Equal(numbers, []string{"1Z999AA10123456784", "9400111899223100000017", "RB123456785GB"}) {
		t.Errorf("order shipments %v", numbers)
	}
	// Only the UPS shipment is in flight: the order arrives by its window.
	_, eta := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784/eta", "")
	w := eta["eta"].(map[string]any)
	by := body["arriving_by"].(map[string]any)
	if by["p50"] != w["p50"] || by["p90"] != w["p90"] || body["delivered_at"] != nil {
		t.Errorf("arriving_by %v, delivered_at %v; eta %v", by, body["delivered_at"], w)
	}

	// Every shipment delivered: no arriving_by, the last delivery.
	code, body = do(t, s, "GET", "/v1/orders/ORD-3", "")
	if code != 200 || body["arriving_by"] != nil || body["delivered_at"] != rfc(2) {
		t.Errorf("delivered order: %d %v", code, body)
	}
	// Two in flight: the later p50 and the later p90.
	store := newStore()
	late := store.ships["799531274483"]
	late.OrderRef = "ORD-1"
	store.ships["799531274483"] = late
	s = newShipmentServer(t, store)
	_, body = do(t, s, "GET", "/v1/orders/ORD-1", "")
	_, eta2 := do(t, s, "GET", "/v1/shipments/799531274483/eta", "")
	w2 := eta2["eta"].(map[string]any)
	by = body["arriving_by"].(map[string]any)
	if by["p50"] != maxTime(w["p50"], w2["p50"]) || by["p90"] != maxTime(w["p90"], w2["p90"]) {
		t.Errorf("arriving_by %v from %v and %v", by, w, w2)
	}
}

func maxTime(a, b any) string {
	return max(a.(string), b.(string)) // RFC 3339 in UTC sorts as time
}

func TestCustomerShipments(t *testing.T) {
	s := newShipmentServer(t, newStore())
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pages do not end")
		}
		path := "/v1/customers/CUS-1/shipments?limit=2"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		code, body := do(t, s, "GET", path, "")
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, body)
		}
		ships := body["shipments"].([]any)
		if len(ships) > 2 {
			t.Fatalf("page of %d", len(ships))
		}
		for _, sh := range ships {
			got = append(got, sh.(map[string]any)["tracking_number"].(string))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	// In flight first (newest scan first), then the delivered one.
	want := []string{"1Z999AA10123456784", "1Z999AA10123456793", "799531274483", "9400111899223100000017"}
	if !slices.Equal(got, want) {
		t.Errorf("customer shipments %v, want %v", got, want)
	}
	code, body := do(t, s, "GET", "/v1/customers/CUS-1/shipments", "")
	if code != 200 || len(body["shipments"].([]any)) != 4 || body["next_cursor"] != nil {
		t.Errorf("default page: %d %v", code, body)
	}
}

func TestOrderAndCustomerErrors(t *testing.T) {
	s := newShipmentServer(t, newStore())
	for _, tc := range []struct {
		path    string
		code    int
		errCode string
	}{
		{"/v1/orders/NOSUCH", 404, "not_found"},
		{"/v1/orders/FAILING", 503, "lookup_failed"},
		{"/v1/orders/A%00B", 400, "invalid_request"},
		{"/v1/orders/%20A", 400, "invalid_request"},
		{"/v1/orders/" + strings.Repeat("x", 129), 400, "invalid_request"},
		{"/v1/customers/NOSUCH/shipments", 404, "not_found"},
		{"/v1/customers/FAILING/shipments", 503, "lookup_failed"},
		{"/v1/customers/A%07/shipments", 400, "invalid_request"},
		{"/v1/customers/CUS-1/shipments?limit=0", 400, "invalid_request"},
		{"/v1/customers/CUS-1/shipments?limit=101", 400, "invalid_request"},
		{"/v1/customers/CUS-1/shipments?limit=x", 400, "invalid_request"},
		{"/v1/customers/CUS-1/shipments?cursor=x", 400, "invalid_cursor"},
		{"/v1/customers/CUS-1/shipments?cursor=" + strings.Repeat("1", 513), 400, "invalid_request"},
		{"/v1/shipments/abc", 400, "invalid_tracking_number"},
		{"/v1/shipments/1Z999AA10123456800", 404, "not_found"},
		{"/v1/shipments/FAILINGLOOKUP1", 503, "lookup_failed"},
	} {
		code, body := do(t, s, "GET", tc.path, "")
		e, _ := body["error"].(map[string]any)
		if code != tc.code || e == nil || e["code"] != tc.errCode || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d %s", tc.path, code, body, tc.code, tc.errCode)
		}
	}
	// Without an Orders, the views say so.
	bare := NewServer(newStore(), s.Model(), Options{})
	for _, p := range []string{"/v1/orders/ORD-1", "/v1/customers/CUS-1/shipments"} {
		if code, body := do(t, bare, "GET", p, ""); code != 503 {
			t.Errorf("%s without orders: %d %v", p, code, body)
		}
	}
}

func TestArrival(t *testing.T) {
	at := func(h float64) time.Time { return t0.Add(time.Duration(h * float64(time.Hour))) }
	flying := func(p50, p90 float64) ShipmentSummary {
		return ShipmentSummary{ETAResponse: ETAResponse{Status: schemas.StatusInTransit, ETA: &Window{P50: at(p50), P90: at(p90)}}}
	}
	done := func(h float64) ShipmentSummary {
		d := at(h)
		return ShipmentSummary{ETAResponse: ETAResponse{Status: schemas.StatusDelivered, DeliveredAt: &d}}
	}
	gone := ShipmentSummary{ETAResponse: ETAResponse{Status: schemas.StatusReturnedToSender}}
	noETA := ShipmentSummary{ETAResponse: ETAResponse{Status: schemas.StatusInTransit}}
	for _, tc := range []struct {
		name             string
		ships            []ShipmentSummary
		p50, p90, lastAt float64 // -1: absent
	}{
		{"one in flight", []ShipmentSummary{flying(10, 20)}, 10, 20, -1},
		{"latest p50 first", []ShipmentSummary{flying(30, 35), flying(10, 40)}, 30, 40, -1},
		{"latest p50 last", []ShipmentSummary{flying(10, 40), flying(30, 35)}, 30, 40, -1},
		{"delivered and in flight", []ShipmentSummary{done(5), flying(10, 20)}, 10, 20, -1},
		{"all delivered", []ShipmentSummary{done(5), done(8), done(2)}, -1, -1, 8},
		{"delivered and returned", []ShipmentSummary{gone, done(5)}, -1, -1, 5},
		{"in flight without an ETA", []ShipmentSummary{noETA, done(5)}, -1, -1, -1},
		{"returned only", []ShipmentSummary{gone}, -1, -1, -1},
	} {
		by, last := arrival(tc.ships)
		if (by == nil) != (tc.p50 < 0) || by != nil && (!by.P50.Equal(at(tc.p50)) || !by.P90.Equal(at(tc.p90))) {
			t.Errorf("%s: arriving by %+v, want p50 %v p90 %v", tc.name, by, tc.p50, tc.p90)
		}
		if (last == nil) != (tc.lastAt < 0) || last != nil && !last.Equal(at(tc.lastAt)) {
			t.Errorf("%s: delivered at %v, want %v", tc.name, last, tc.lastAt)
		}
	}
}

// A shipment whose store keeps no timeline shows its scans without detail.
func TestShipmentViewWithoutTimeline(t *testing.T) {
	s := newTestServer(t) // memJourneys: journeys only
	code, body := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784", "")
	if code != 200 {
		t.Fatalf("%d %v", code, body)
	}
	tl := body["timeline"].([]any)
	if len(tl) != 2 || tl[1].(map[string]any)["status"] != "picked_up" || tl[1].(map[string]any)["time"] != rfc(3) {
		t.Errorf("timeline %v", tl)
	}
}

// A model of another version that took over after a shipment's newest
// scan came is what changed its latest estimate; a scan after it is again.
func TestLatestEstimateChangedByNewModel(t *testing.T) {
	now := t0.Add(4 * time.Hour)
	store := newStore()
	s := newShipmentServer(t, store)
	changedBy := func() any {
		_, body := do(t, s, "GET", "/v1/shipments/1Z999AA10123456784", "")
		return body["latest_estimate"].(map[string]any)["changed_by"]
	}
	if got := changedBy(); got != ChangedByNewScan {
		t.Fatalf("before a new model: %v", got)
	}
	loaded := s.Model()
	same := *loaded
	s.SetModel(&same) // the same version again: no new model
	if got := changedBy(); got != ChangedByNewScan {
		t.Errorf("after a reload of the same version: %v", got)
	}
	next := *loaded
	next.Version = "test-2"
	s.SetModel(&next)
	if got := changedBy(); got != ChangedByNewModel {
		t.Errorf("after a new model: %v, want %s", got, ChangedByNewModel)
	}
	sh := store.ships["1Z999AA10123456784"]
	sh.UpdatedAt = now.Add(time.Minute) // a scan ingested after the model came
	store.ships["1Z999AA10123456784"] = sh
	if got := changedBy(); got != ChangedByNewScan {
		t.Errorf("after a scan that came after the model: %v", got)
	}
}
