package sim

import (
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
	"github.com/parcelcast/parcelcast/schemas/trackno"
)

// TestBrazil checks the second country: its share of the history, valid
// S10 numbers, each state capital's own offset all year (Brazil keeps no
// daylight-saving time), the post closed on weekends, Carnival and the
// national holidays, its own peak around Black Friday, and transit that
// grows through the run while the promise does not.
func TestBrazil(t *testing.T) {
	const n = 16000
	ships := all(Config{Seed: 21, Shipments: n, Days: 365, BrazilShare: 0.5})
	closed := map[date]string{
		{2026, time.February, 16}: "Carnival Monday", {2026, time.February, 17}: "Carnival Tuesday",
		{2026, time.April, 21}: "Tiradentes", {2026, time.September, 7}: "Independence Day",
		{2026, time.October, 12}: "Nossa Senhora Aparecida", {2026, time.December, 25}: "Christmas",
	}
	offsets := map[string]int{}
	var brazil int
	var peakDays, octDays []float64
	lateByQuarter := [4][]float64{}
	for _, s := range ships {
		if s.Carrier != correios.Name {
			if s.Origin.Country != "" || s.Destination.Country != "" && s.Service != "international" {
				t.Fatalf("%s (%s): a US carrier from %s to %s", s.TrackingNumber, s.Carrier, s.Origin.Name, s.Destination.Name)
			}
			continue
		}
		brazil++
		if err := trackno.Check("", s.TrackingNumber); err != nil {
			t.Fatalf("%s: %v", s.TrackingNumber, err)
		}
		if s.Origin.Country != "BR" || s.Destination.Country != "BR" || s.Origin.Name == s.Destination.Name {
			t.Fatalf("%s: from %s to %s", s.TrackingNumber, s.Origin.Name, s.Destination.Name)
		}
		for i, e := range s.Scans {
			if err := e.Validate(); err != nil {
				t.Fatalf("%s scan %d: %v", s.TrackingNumber, i, err)
			}
			if i > 0 && e.EventTime.Before(s.Scans[i-1].EventTime) {
				t.Fatalf("%s: scan %d before the one before it", s.TrackingNumber, i)
			}
			if off, ok := offsets[e.Location.City]; ok && off != e.UTCOffsetMinutes {
				t.Fatalf("%s: %s at offset %d and %d", s.TrackingNumber, e.Location.City, off, e.UTCOffsetMinutes)
			}
			offsets[e.Location.City] = e.UTCOffsetMinutes
			if e.Status != schemas.StatusPickedUp && (e.Status != schemas.StatusDelivered || s.Scans[i-1].Status == schemas.StatusAvailableForPickup) {
				continue
			}
			local := e.EventTime.In(time.FixedZone("", e.UTCOffsetMinutes*60))
			if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Fatalf("%s: %s on %s", s.TrackingNumber, e.Status, local.Format("Mon 2006-01-02"))
			}
			if name, ok := closed[dateOf(local)]; ok {
				t.Fatalf("%s: %s on %s (%s)", s.TrackingNumber, e.Status, local.Format("2006-01-02"), name)
			}
		}
		if s.Outcome != Delivered || s.Service != "pac" {
			continue
		}
		pick := s.Scans[1].EventTime.In(loc(s.Origin.Zone))
		days := s.DeliveredAt.Sub(pick).Hours() / 24
		switch m, d := pick.Month(), pick.Day(); {
		case m == time.November && d >= 20 || m == time.December && d <= 2:
			peakDays = append(peakDays, days)
		case m == time.October:
			octDays = append(octDays, days)
		}
		q := min(int(s.LabelTime.Sub(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)).Hours()/(24*365)*4), 3)
		lateByQuarter[q] = append(lateByQuarter[q], s.DeliveredAt.Sub(s.PromisedBy).Hours()/24)
	}
	if sd := math.Sqrt(0.25 / n); math.Abs(float64(brazil)/n-0.5) > 4*sd {
		t.Errorf("%d of %d shipments in Brazil, want half", brazil, n)
	}
	for city, want := range map[string]int{"São Paulo": -180, "Manaus": -240, "Recife": -180, "Cuiabá": -240} {
		if got, ok := offsets[city]; !ok || got != want {
			t.Errorf("%s: offset %d (seen %v), want %d", city, got, ok, want)
		}
	}
	if mean(peakDays) <= mean(octDays)+0.3 {
		t.Errorf("PAC transit: October %.2f days, Black Friday weeks %.2f; want the peak slower", mean(octDays), mean(peakDays))
	}
	// The third quarter (July to early October) has no peak.
	first, third := mean(lateByQuarter[0]), mean(lateByQuarter[2])
	t.Logf("PAC: October %.2f d, peak %.2f d; delivery after the promise: first quarter %.2f d, third %.2f d", mean(octDays), mean(peakDays), first, third)
	if third-first < 0.5 {
		t.Errorf("PAC delivered %.2f d after its promise in the first quarter, %.2f d in the third: want the trend", first, third)
	}
}
