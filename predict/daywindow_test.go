package predict

import (
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// TestETADeliveryWindow checks the /eta answer's delivery window: the
// out-for-delivery cell's on the day it went out, the ETA day's before.
func TestETADeliveryWindow(t *testing.T) {
	s := newTestServer(t)
	code, body := do(t, s, "GET", "/v1/shipments/1Z999AA10123456800/eta", "")
	if code != 200 {
		t.Fatalf("code %d: %v", code, body)
	}
	w, _ := body["delivery_window"].(map[string]any)
	want := map[string]any{"date": "2026-11-23", "start": "10:30", "end": "16:00", "utc_offset": "-05:00",
		"basis": "out_for_delivery", "level": "all", "coverage": 0.8}
	for k, v := range want {
		if w[k] != v {
			t.Errorf("delivery_window[%s] = %v, want %v (%v)", k, w[k], v, w)
		}
	}
}

func TestDeliveryWindowOf(t *testing.T) {
	m := testModel()
	at := time.Date(2026, 11, 23, 13, 30, 0, 0, time.UTC) // 08:30 at UTC−5
	snap := func(st schemas.Status) model.Snapshot {
		return model.Snapshot{Carrier: "ups", Service: "ground", Status: st, At: at, OffsetMinutes: -300}
	}
	for _, tc := range []struct {
		name string
		s    model.Snapshot
		p50  float64
		now  time.Time
		want *DeliveryWindow // nil: none
	}{
		{"out for delivery", snap(schemas.StatusOutForDelivery), 3, at,
			&DeliveryWindow{Date: "2026-11-23", Start: "10:30", End: "16:00", UTCOffset: "-05:00", Basis: "out_for_delivery", Level: "all", Coverage: 0.8}},
		{"in transit, ETA the next day", snap(schemas.StatusInTransit), 30, at,
			&DeliveryWindow{Date: "2026-11-24", Start: "09:00", End: "17:00", UTCOffset: "-05:00", Basis: "eta_day", Level: "all", Coverage: 0.79}},
		{"ETA already past: today's window", snap(schemas.StatusInTransit), 1, at.Add(48 * time.Hour),
			&DeliveryWindow{Date: "2026-11-25", Start: "09:00", End: "17:00", UTCOffset: "-05:00", Basis: "eta_day", Level: "all", Coverage: 0.79}},
		{"window over", snap(schemas.StatusOutForDelivery), 1, at.Add(8 * time.Hour), nil},
		{"returned", snap(schemas.StatusReturnedToSender), 1, at, nil},
		{"no finite ETA", snap(schemas.StatusInTransit), math.Inf(1), at, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := deliveryWindow(m, tc.s, model.Prediction{P50: tc.p50}, tc.now)
			switch {
			case tc.want == nil && got != nil:
				t.Errorf("got %+v, want none", *got)
			case tc.want != nil && (got == nil || *got != *tc.want):
				t.Errorf("got %+v, want %+v", got, *tc.want)
			}
		})
	}
	m.DayWindows = nil
	if got := deliveryWindow(m, snap(schemas.StatusOutForDelivery), model.Prediction{}, at); got != nil {
		t.Errorf("model without windows gives %+v", *got)
	}
}
