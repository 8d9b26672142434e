package model

import (
	"math"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// est is a local time in US Eastern standard time (UTC−5).
func est(d, h int) time.Time {
	return time.Date(2026, 3, d, h, 0, 0, 0, time.FixedZone("EST", -5*3600)).UTC()
}

// legJourney is a ups ground parcel New York → Atlanta through a hub:
// labelled Monday 2 March, promised for Wednesday 20:00, out for delivery
// at outHour on day outDay and delivered four hours later.
func legJourney(outDay, outHour int) *Journey {
	j := &Journey{Carrier: "ups", Service: "ground",
		Origin:      schemas.Location{Country: "US", PostalCode: "10001"},
		Destination: schemas.Location{Country: "us", PostalCode: "30303"},
		Promised:    est(4, 20)}
	for _, s := range []struct {
		at time.Time
		st schemas.Status
	}{
		{est(2, 10), schemas.StatusInfoReceived},
		{est(2, 18), schemas.StatusPickedUp},
		{est(2, 21), schemas.StatusDepartedFacility},  // origin
		{est(3, 10), schemas.StatusArrivedAtFacility}, // hub
		{est(3, 12), schemas.StatusDepartedFacility},  // hub
		{est(4, 2), schemas.StatusArrivedAtFacility},  // destination
		{est(outDay, outHour), schemas.StatusOutForDelivery},
		{est(outDay, outHour+4), schemas.StatusDelivered},
	} {
		j.Scans = append(j.Scans, Scan{Time: s.at, Status: s.st, OffsetMinutes: -300})
	}
	return j
}

func TestDwellLegKeys(t *testing.T) {
	j := legJourney(4, 8)
	cases := []struct {
		k            int
		fine, coarse string
	}{
		{0, "ups|ground|info_received|0|2", "ups|ground|info_received|0|*"},
		{2, "ups|ground|departed_facility|0|2", "ups|ground|departed_facility|0|*"},
		{3, "ups|ground|arrived_at_facility|0|2", "ups|ground|arrived_at_facility|0|*"},
		{4, "ups|ground|departed_facility|1|2", "ups|ground|departed_facility|1|*"},
		{5, "ups|ground|arrived_at_facility|1|2", "ups|ground|arrived_at_facility|1|*"},
	}
	for _, c := range cases {
		if fine, coarse := DwellLegKeys(j, c.k); fine != c.fine || coarse != c.coarse {
			t.Errorf("scan %d: keys %q, %q; want %q, %q", c.k, fine, coarse, c.fine, c.coarse)
		}
	}
	j.Promised = time.Time{}
	if fine, _ := DwellLegKeys(j, 3); fine != "ups|ground|arrived_at_facility|0|-" {
		t.Errorf("without a promise: %q", fine)
	}
}

func TestDwellLegsLearned(t *testing.T) {
	a := newDwellAcc()
	for range 40 {
		a.add(legJourney(4, 8)) // on time
	}
	for range 10 {
		a.add(legJourney(5, 8)) // a day late: not a lead
	}
	legs, leads := a.finishLegs(), a.finishLeads()
	near := func(got, want float64) bool { return math.Abs(got-want) <= 0.05*want+0.05 }

	// The hub departure (hop 1) and the origin's (hop 0) are told apart:
	// 14 hours to the destination facility, 13 to the hub.
	hub, origin := legs["ups|ground|departed_facility|1|2"], legs["ups|ground|departed_facility|0|2"]
	if hub.N != 50 || !near(hub.P50Hours, 14) {
		t.Errorf("hub departure dwell %+v, want 50 of 14 hours", hub)
	}
	if origin.N != 50 || !near(origin.P50Hours, 13) {
		t.Errorf("origin departure dwell %+v, want 50 of 13 hours", origin)
	}
	// The destination facility's dwell: 6 hours on time, 30 a day late.
	dest := legs["ups|ground|arrived_at_facility|1|*"]
	if dest.N != 50 || !near(dest.P50Hours, 6) || !near(dest.P99Hours, 30) {
		t.Errorf("destination dwell %+v, want p50 6 and p99 30 hours", dest)
	}
	// On time, out for delivery 12 hours before the promise; the late
	// journeys are not counted.
	l := leads["ups|ground"]
	if l.N != 40 || !near(l.P01Hours, 12) || !near(l.P50Hours, 12) {
		t.Errorf("lead %+v, want 40 of 12 hours", l)
	}
	if leads["ups|*"].N != 40 {
		t.Errorf("carrier lead %+v, want 40", leads["ups|*"])
	}
}

func TestDwellLegsWorkingHours(t *testing.T) {
	// Arrived Friday 6 March 20:00, out Monday 9 March 08:00: 60 hours,
	// 4 + 8 = 12 of them working.
	j := legJourney(4, 8)
	j.Scans = j.Scans[:6]
	j.Scans[5].Time = est(6, 20)
	j.Scans = append(j.Scans, Scan{Time: est(9, 8), Status: schemas.StatusOutForDelivery, OffsetMinutes: -300})
	a := newDwellAcc()
	a.add(j)
	fine, _ := DwellLegKeys(j, 5)
	if d := a.finishLegs()[fine]; math.Abs(d.P50Hours-12) > 0.2 {
		t.Errorf("weekend dwell %v working hours, want 12", d.P50Hours)
	}
	if d := a.finish()["ups|arrived_at_facility"]; d.P99Hours < 59 {
		t.Errorf("carrier and status dwell %v calendar hours, want up to 60", d.P99Hours)
	}
}

func TestDwellCells(t *testing.T) {
	j := legJourney(4, 8)
	m := &Model{
		Dwell: map[string]Dwell{"ups|arrived_at_facility": {N: 900, P50Hours: 5, P90Hours: 20, P99Hours: 40}},
		DwellLegs: map[string]Dwell{
			"ups|ground|arrived_at_facility|1|2": {N: 100, P50Hours: 6, P90Hours: 8, P99Hours: 10},
			"ups|ground|arrived_at_facility|1|*": {N: 300, P50Hours: 6, P90Hours: math.NaN(), P99Hours: 12},
		},
	}
	cells := m.DwellCells(j, 5)
	if len(cells) != 2 || !cells[0].Working || cells[0].N != 100 || cells[1].Working || cells[1].N != 900 {
		t.Fatalf("cells %+v: want the fine leg (the coarse one is not finite) then the carrier's", cells)
	}
	old := &Model{Dwell: m.Dwell} // an artifact trained before the legs
	if cells := old.DwellCells(j, 5); len(cells) != 1 || cells[0].N != 900 {
		t.Fatalf("cells of an old model %+v", cells)
	}
}

// BenchmarkDwellAdd is the dwell accumulator's share of the train pass
// for one eight-scan journey.
func BenchmarkDwellAdd(b *testing.B) {
	a := newDwellAcc()
	j := legJourney(4, 8)
	b.ReportAllocs()
	for b.Loop() {
		a.add(j)
	}
}
