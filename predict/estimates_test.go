package predict

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestEstimatePercentiles(t *testing.T) {
	s := newTestServer(t)
	// Monday 2026-11-23 15:00 UTC; 24 h at the median.
	rec := send(s, "POST", "/v1/estimates", strings.TrimSuffix(testLane, "}")+`,"ship_time":"2026-11-23T15:00:00Z"}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var r EstimateResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Level != "carrier_service" || r.Fallback || r.ETA.Confidence != 0.8 {
		t.Errorf("level %s fallback %v confidence %g", r.Level, r.Fallback, r.ETA.Confidence)
	}
	want := []int{50, 75, 85, 90, 95, 97, 99}
	if len(r.Percentiles) != len(want) {
		t.Fatalf("percentiles %+v", r.Percentiles)
	}
	for i, p := range r.Percentiles {
		if p.Percentile != want[i] {
			t.Errorf("percentile %d is p%d, want p%d", i, p.Percentile, want[i])
		}
		if i > 0 && (p.Hours < r.Percentiles[i-1].Hours || p.At.Before(r.Percentiles[i-1].At)) {
			t.Errorf("p%d before p%d: %+v", p.Percentile, r.Percentiles[i-1].Percentile, r.Percentiles)
		}
	}
	p50 := r.Percentiles[0]
	if !p50.At.Equal(t0.Add(24*time.Hour)) || p50.Hours != 24 || p50.BusinessDays != 1 || !r.ETA.P50.Equal(p50.At) {
		t.Errorf("p50 %+v, eta %+v", p50, r.ETA)
	}
	// p90 and p95 are the window's; the residual at 95% is +0.9 on the
	// log scale: 25·e^0.9 − 1 hours.
	if p95 := r.Percentiles[4]; math.Abs(p95.Hours-(25*math.Exp(0.9)-1)) > 0.1 || !p95.At.Equal(r.ETA.P95Commit) {
		t.Errorf("p95 %+v, window %+v", p95, r.ETA)
	}
	// Thanksgiving (Thursday 26th) is no business day: p99, beyond
	// Friday, counts Tuesday, Wednesday and Friday at most.
	if p99 := r.Percentiles[6]; p99.At.Weekday() == time.Friday && p99.BusinessDays != 3 {
		t.Errorf("p99 %+v", p99)
	}
}

func TestEstimateFallback(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name, carrier, service, dest string
		allow                        bool
		code                         int
		errCode, level, message      string
	}{
		{"known", "ups", "ground", "94103", false, 200, "", "carrier_service", ""},
		{"unknown carrier", "acme", "ground", "94103", false, 422, "unknown_carrier", "", `carrier "acme"`},
		{"unknown service", "ups", "teleport", "94103", false, 422, "unknown_service", "", `service "teleport"`},
		{"unknown area", "ups", "ground", "30301", false, 422, "unknown_area", "", `destination area "US3"`},
		{"carrier fallback", "acme", "ground", "94103", true, 200, "", "global", ""},
		{"service fallback", "ups", "teleport", "94103", true, 200, "", "carrier", ""},
		{"area fallback", "ups", "ground", "30301", true, 200, "", "carrier_service", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"carrier":"` + tc.carrier + `","service":"` + tc.service + `","origin":{"postal_code":"10001","country":"US"},"destination":{"postal_code":"` + tc.dest + `","country":"US"}`
			if tc.allow {
				body += `,"allow_fallback":true`
			}
			rec := send(s, "POST", "/v1/estimates", body+"}")
			if rec.Code != tc.code {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if tc.errCode != "" {
				if got := errorCode(t, rec); got != tc.errCode || !strings.Contains(rec.Body.String(), strings.ReplaceAll(tc.message, `"`, `\"`)) {
					t.Errorf("error %s %s, want %s naming %s", got, rec.Body, tc.errCode, tc.message)
				}
				return
			}
			var r EstimateResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Level != tc.level || r.Fallback != tc.allow {
				t.Errorf("level %s fallback %v, want %s %v", r.Level, r.Fallback, tc.level, tc.allow)
			}
			if tc.allow && !(r.ETA.Confidence < 0.8) {
				t.Errorf("fallback confidence %g, want below the nominal 0.8", r.ETA.Confidence)
			}
		})
	}
}

func TestEstimateBatch(t *testing.T) {
	s := newTestServer(t)
	unknown := strings.Replace(testLane, `"ups"`, `"acme"`, 1)
	rec := send(s, "POST", "/v1/estimates", `{"requests":[`+testLane+`,`+unknown+`,{"carrier":"ups"}]}`)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var r struct {
		Estimates []struct {
			Carrier string `json:"carrier"`
			Error   *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"estimates"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Estimates) != 3 || r.Estimates[0].Carrier != "ups" || r.Estimates[0].Error != nil ||
		r.Estimates[1].Error == nil || r.Estimates[1].Error.Code != "unknown_carrier" || r.Estimates[1].Carrier != "" ||
		r.Estimates[2].Error == nil || r.Estimates[2].Error.Code != "invalid_request" {
		t.Errorf("batch: %s", rec.Body)
	}
	// The cap is the server's.
	small := NewServer(s.shipments, s.Model(), Options{Limits: Limits{MaxBatch: 2}})
	rec = send(small, "POST", "/v1/estimates", `{"requests":[`+testLane+`,`+testLane+`,`+testLane+`]}`)
	if rec.Code != 400 || errorCode(t, rec) != "batch_too_large" {
		t.Errorf("over the cap: %d %s", rec.Code, rec.Body)
	}
}
