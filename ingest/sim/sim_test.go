package sim

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

func all(cfg Config) []Shipment {
	g := New(cfg)
	var out []Shipment
	for {
		s, ok := g.Next()
		if !ok {
			return out
		}
		out = append(out, s)
	}
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Shipments: 300}
	a, b := all(cfg), all(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different shipments")
	}
	c := all(Config{Seed: 43, Shipments: 300})
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same shipments")
	}
}

func TestJourneysAreConsistent(t *testing.T) {
	ships := all(Config{Seed: 7, Shipments: 4000, ReuseRate: -1})
	seen := map[string]bool{}
	var ground, air []float64
	for _, s := range ships {
		if seen[s.TrackingNumber] {
			t.Fatalf("tracking number %s used twice without reuse", s.TrackingNumber)
		}
		seen[s.TrackingNumber] = true
		if err := trackno.Check(s.Carrier, s.TrackingNumber); err != nil {
			t.Fatalf("%s: %v", s.TrackingNumber, err)
		}
		for i, e := range s.Scans {
			if err := e.Validate(); err != nil {
				t.Fatalf("%s scan %d: %v", s.TrackingNumber, i, err)
			}
			if i > 0 && e.EventTime.Before(s.Scans[i-1].EventTime) {
				t.Fatalf("%s: scan %d (%s) before scan %d", s.TrackingNumber, i, e.Status, i-1)
			}
		}
		if s.Scans[0].Status != schemas.StatusInfoReceived {
			t.Fatalf("%s: first scan %s", s.TrackingNumber, s.Scans[0].Status)
		}
		last := s.Scans[len(s.Scans)-1]
		switch s.Outcome {
		case Delivered:
			if last.Status != schemas.StatusDelivered || !last.EventTime.Equal(s.DeliveredAt) {
				t.Fatalf("%s: last scan %s at %s, truth %s", s.TrackingNumber, last.Status, last.EventTime, s.DeliveredAt)
			}
		case Returned:
			if last.Status != schemas.StatusReturnedToSender || !last.EventTime.Equal(s.EndedAt) || !s.DeliveredAt.IsZero() {
				t.Fatalf("%s: returned, but last scan %s at %s, ended %s", s.TrackingNumber, last.Status, last.EventTime, s.EndedAt)
			}
		case Lost:
			if last.Status.Terminal() || !s.DeliveredAt.IsZero() || len(s.Anomalies) == 0 || !s.Anomalies[len(s.Anomalies)-1].End.IsZero() {
				t.Fatalf("%s: lost, but last scan %s, anomalies %+v", s.TrackingNumber, last.Status, s.Anomalies)
			}
		default:
			t.Fatalf("%s: outcome %q", s.TrackingNumber, s.Outcome)
		}
		if s.Outcome != Delivered {
			continue
		}
		days := s.DeliveredAt.Sub(s.Scans[1].EventTime).Hours() / 24
		if days <= 0 || days > 16 {
			t.Fatalf("%s: %.1f days from pickup to delivery", s.TrackingNumber, days)
		}
		if last.Mode == "air" {
			air = append(air, days)
		} else {
			ground = append(ground, days)
		}
	}
	if mean(air) >= mean(ground) {
		t.Errorf("air services (%.2f days) not faster than ground (%.2f days)", mean(air), mean(ground))
	}
}

// Carriers do not deliver on Sundays or their holidays; a customer may
// collect a held parcel any day.
func TestNoDeliveryOnClosedDays(t *testing.T) {
	thanksgiving := date{2026, time.November, 26}
	veterans := date{2026, time.November, 11}
	var upsOnVeterans, uspsOnVeterans int
	for _, s := range all(Config{Seed: 9, Shipments: 6000, Start: time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC), Days: 50}) {
		for i, e := range s.Scans {
			if e.Status != schemas.StatusDelivered || s.Scans[i-1].Status == schemas.StatusAvailableForPickup {
				continue
			}
			local := e.EventTime.In(time.FixedZone("", e.UTCOffsetMinutes*60))
			if local.Weekday() == time.Sunday || dateOf(local) == thanksgiving {
				t.Fatalf("%s (%s) delivered on %s", s.TrackingNumber, s.Carrier, local.Format("Mon 2006-01-02"))
			}
			if dateOf(local) == veterans {
				switch s.Carrier {
				case "ups":
					upsOnVeterans++
				case "usps":
					uspsOnVeterans++
				}
			}
		}
	}
	if uspsOnVeterans != 0 || upsOnVeterans == 0 {
		t.Errorf("Veterans Day deliveries: usps %d (want 0, a federal holiday), ups %d (want some)", uspsOnVeterans, upsOnVeterans)
	}
}

// The outcome and anomaly rates are those configured, within sampling error.
func TestRates(t *testing.T) {
	const n = 20000
	cfg := Config{Seed: 11, Shipments: n, Days: 60}
	count := map[string]int{}
	for _, s := range all(cfg) {
		count["outcome:"+string(s.Outcome)]++
		for _, a := range s.Anomalies {
			count[a.Cause]++
		}
		for _, e := range s.Scans {
			if e.Status == schemas.StatusAvailableForPickup {
				count["held"]++
			}
		}
	}
	r := DefaultRates
	within := func(name string, got int, want float64) {
		t.Helper()
		sd := math.Sqrt(want * (1 - want) / n)
		if share := float64(got) / n; math.Abs(share-want) > 4*sd+0.001 {
			t.Errorf("%s: %.4f of shipments, want %.4f", name, share, want)
		}
	}
	within("lost", count["outcome:lost"], r.LostRate)
	within("returned", count["outcome:returned"], r.ReturnRate+0.4*r.AddressRate)
	within("damaged", count["damaged"], r.DamageRate)
	within("held", count["held"], r.HoldRate)
	if count["weather"] == 0 || count["missed_connection"] == 0 {
		t.Errorf("no weather disruption or missed connection in %d shipments: %v", n, count)
	}
}

// Label volume and transit time rise in the peak season.
func TestPeakSeason(t *testing.T) {
	ships := all(Config{Seed: 5, Shipments: 20000, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 84})
	labels := map[time.Month]int{}
	transit := map[time.Month][]float64{}
	for _, s := range ships {
		m := s.LabelTime.Month()
		labels[m]++
		if s.Outcome == Delivered && s.Service == "ground" {
			transit[m] = append(transit[m], s.DeliveredAt.Sub(s.LabelTime).Hours()/24)
		}
	}
	// October has 31 days, December's first 24 are in the sample.
	if perDayOct, perDayDec := float64(labels[time.October])/31, float64(labels[time.December])/24; perDayDec < 1.5*perDayOct {
		t.Errorf("labels per day: October %.0f, December %.0f; want the peak well above", perDayOct, perDayDec)
	}
	if mean(transit[time.December]) <= mean(transit[time.October]) {
		t.Errorf("ground transit: October %.2f days, December %.2f; want December slower", mean(transit[time.October]), mean(transit[time.December]))
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// TestTransitMatchesStandards checks simulated transit, in business days
// from pickup to delivery, against each carrier's published standard: the
// median inside the standard, the 90th percentile at most two days past
// its end (delays, Alaska and Hawaii).
func TestTransitMatchesStandards(t *testing.T) {
	for _, r := range TransitTable(New(Config{Seed: 1, Shipments: 30000, Days: 365})) {
		t.Logf("| %s | %s | %d–%d | %d | %.0f | %.0f | %.0f | %.1f | %.1f |", r.Carrier, r.Service, r.Standard[0], r.Standard[1],
			r.Shipments, r.P10, r.P50, r.P90, r.DaysP50, r.DaysP90)
		if r.P50 < float64(r.Standard[0]) || r.P50 > float64(r.Standard[1]) || r.P90 > float64(r.Standard[1]+2) {
			t.Errorf("%s %s: p50 %.0f, p90 %.0f business days; published %d–%d", r.Carrier, r.Service, r.P50, r.P90, r.Standard[0], r.Standard[1])
		}
	}
}

// A reused number is the same carrier's, given again only after the
// earlier shipment under it was delivered and a silence passed: its scans
// read as a delivery, a silence and a new label. FedEx shipments carry a
// key of their own, so the two under one number never share one.
func TestReusedNumbers(t *testing.T) {
	ships := all(Config{Seed: 7, Shipments: 4000, ReuseRate: 0.05})
	type use struct {
		carrier, key string
		last         time.Time
		delivered    bool
	}
	prev := map[string]use{}
	keys := map[string]bool{}
	reused := map[string]int{}
	for _, s := range ships {
		if s.Carrier == "fedex" {
			if s.ShipmentKey == "" || keys[s.ShipmentKey] {
				t.Fatalf("%s: FedEx shipment key %q empty or seen before", s.TrackingNumber, s.ShipmentKey)
			}
			keys[s.ShipmentKey] = true
		} else if s.ShipmentKey != "" {
			t.Fatalf("%s: %s shipment with key %q", s.TrackingNumber, s.Carrier, s.ShipmentKey)
		}
		for _, e := range s.Scans {
			if e.ShipmentKey != s.ShipmentKey {
				t.Fatalf("%s: scan key %q, shipment's %q", s.TrackingNumber, e.ShipmentKey, s.ShipmentKey)
			}
		}
		if p, ok := prev[s.TrackingNumber]; ok {
			reused[s.Carrier]++
			if p.carrier != s.Carrier || !p.delivered || s.LabelTime.Before(p.last.Add(reuseSilence)) {
				t.Fatalf("%s reused: before %+v, now %s labelled %s", s.TrackingNumber, p, s.Carrier, s.LabelTime)
			}
		}
		last := s.Scans[len(s.Scans)-1]
		prev[s.TrackingNumber] = use{s.Carrier, s.ShipmentKey, last.EventTime, last.Status == schemas.StatusDelivered}
	}
	if len(reused) < 3 {
		t.Errorf("numbers reused by %v, want at least three carriers", reused)
	}
	if none := all(Config{Seed: 7, Shipments: 4000, ReuseRate: -1}); len(none) != len(ships) {
		t.Fatal("shipment count depends on reuse")
	} else {
		for i := range ships {
			if ships[i].TrackingNumber == none[i].TrackingNumber && !reflect.DeepEqual(ships[i].Scans[1:], none[i].Scans[1:]) {
				t.Fatalf("shipment %d: reuse changed the journey of a number it did not reuse", i)
			}
		}
	}
}
