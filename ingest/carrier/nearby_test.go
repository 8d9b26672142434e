package carrier

import (
	"errors"
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier/zone"
	"github.com/parcelcast/parcelcast/schemas"
)

// A scan whose place has no zone of its own takes one from its shipment's
// places, in a fixed order, and says so; one that has a zone keeps it.
func TestSetLocalNear(t *testing.T) {
	var (
		noon      = zone.Wall{Year: 2026, Month: 11, Day: 4, Hour: 12} // standard time everywhere below
		us        = schemas.Location{Country: "US"}
		salem     = schemas.Location{City: "SALEM", Region: "OR", Country: "US"}
		chicago   = schemas.Location{City: "CHICAGO", Region: "IL", PostalCode: "60601", Country: "US"}
		denver    = schemas.Location{City: "DENVER", Region: "CO", Country: "US"}
		atlanta   = schemas.Location{Region: "GA", PostalCode: "30303", Country: "US"}
		vancouver = schemas.Location{City: "RICHMOND", Region: "BC", Country: "CA"}
	)
	none := schemas.Location{}
	tests := []struct {
		name   string
		places Places             // N is set to len(scans)
		scans  []schemas.Location // the payload's scans, newest first
		offset int                // minutes east of UTC
		approx bool
		err    bool
	}{
		{name: "own place", places: Places{Own: chicago, First: salem, Origin: atlanta}, offset: -360},
		{name: "own split state without ZIP", places: Places{Own: schemas.Location{Region: "FL", Country: "US"}, Origin: chicago},
			offset: -300, approx: true},
		{name: "only a country: First", places: Places{Own: us, First: salem, I: 1}, scans: []schemas.Location{chicago, us},
			offset: -480, approx: true},
		{name: "the later scan before the earlier", places: Places{Own: us, I: 1, Origin: salem}, scans: []schemas.Location{chicago, us, denver},
			offset: -360, approx: true},
		{name: "the earlier scan when the later has no zone", places: Places{Own: us, I: 1, Origin: salem},
			scans: []schemas.Location{us, us, denver}, offset: -420, approx: true},
		{name: "nearer before farther", places: Places{Own: us, I: 2}, scans: []schemas.Location{chicago, us, us, denver},
			offset: -420, approx: true},
		{name: "no place at all: origin", places: Places{Origin: atlanta, Destination: salem}, scans: []schemas.Location{none},
			offset: -300, approx: true},
		{name: "no place at all: destination", places: Places{Destination: salem}, offset: -480, approx: true},
		{name: "a country of several zones takes the finer places' zone", places: Places{Own: schemas.Location{Country: "CA"}, First: vancouver},
			offset: -480, approx: true},
		{name: "a country of several zones, nothing finer: its main zone", places: Places{Own: schemas.Location{Country: "CA"}},
			offset: -300, approx: true},
		{name: "only the country anywhere: its main zone", places: Places{Own: us, Origin: us}, scans: []schemas.Location{us, us},
			offset: -300, approx: true},
		{name: "a place abroad", places: Places{Origin: schemas.Location{City: "BERLIN", Country: "DE"}}, offset: 60, approx: true},
		{name: "nothing anywhere", scans: []schemas.Location{none}, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e schemas.ScanEvent
			tc.places.N = len(tc.scans)
			err := SetLocalNear(&e, noon, tc.places, func(j int) schemas.Location { return tc.scans[j] })
			if tc.err {
				if !errors.Is(err, zone.ErrUnresolved) {
					t.Fatalf("err %v, want %v", err, zone.ErrUnresolved)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC).Add(-time.Duration(tc.offset) * time.Minute)
			if e.UTCOffsetMinutes != tc.offset || !e.EventTime.Equal(want) || !e.OffsetInferred || e.OffsetApproximate != tc.approx {
				t.Errorf("got %s offset %d inferred %v approximate %v, want %s offset %d approximate %v",
					e.EventTime, e.UTCOffsetMinutes, e.OffsetInferred, e.OffsetApproximate, want, tc.offset, tc.approx)
			}
		})
	}
}

func TestSetLocalNearRefusesBadWallTimes(t *testing.T) {
	var e schemas.ScanEvent
	err := SetLocalNear(&e, zone.Wall{Year: 2026, Month: 2, Day: 30}, Places{Own: schemas.Location{Region: "IL", Country: "US"}}, nil)
	if err == nil {
		t.Fatal("February 30th accepted")
	}
}

// The common scan, whose place has a zone, costs no more allocations
// than SetLocal: the places that could stand in for it cost none.
func TestSetLocalNearAllocatesAsSetLocal(t *testing.T) {
	chicago := schemas.Location{City: "CHICAGO", Region: "IL", PostalCode: "60601", Country: "US"}
	var e schemas.ScanEvent
	w := zone.Wall{Year: 2026, Month: 11, Day: 4, Hour: 12}
	scans := []schemas.Location{chicago, chicago}
	near := testing.AllocsPerRun(100, func() {
		_ = SetLocalNear(&e, w, Places{Own: chicago, N: 2, Origin: chicago}, func(j int) schemas.Location { return scans[j] })
	})
	local := testing.AllocsPerRun(100, func() { _ = SetLocal(&e, w, chicago, chicago) })
	if near > local {
		t.Errorf("%v allocations per scan, SetLocal %v", near, local)
	}
}
