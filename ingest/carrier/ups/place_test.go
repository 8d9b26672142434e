package ups

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// An activity whose address has no zone of its own (the label scan's is
// often only a country) is read in the zone of the shipper's address
// before pickup, of the nearest other activity after it, and flagged
// approximate; it never fails the payload.
func TestActivityWithoutZone(t *testing.T) {
	var (
		us      = Address{Country: "US", CountryCode: "US"}
		salem   = Address{City: "SALEM", StateProvince: "OR", Country: "US"}
		chicago = Address{City: "CHICAGO", StateProvince: "IL", PostalCode: "60601", Country: "US"}
		denver  = Address{City: "DENVER", StateProvince: "CO", Country: "US"}
		atlanta = Address{City: "ATLANTA", StateProvince: "GA", PostalCode: "30303", Country: "US"}
		label   = Status{Type: "M", Code: "MP", Description: "Shipper created a label, UPS has not received the package yet."}
		pickup  = Status{Type: "P", Code: "PU", Description: "Pickup Scan"}
		transit = Status{Type: "I", Code: "IT", Description: "In Transit"}
	)
	at := func(a Address, st Status, clock string) Activity {
		return Activity{Location: Location{Address: a}, Status: st, Date: "20261104", Time: clock}
	}
	tests := []struct {
		name      string
		addresses []PackageAddress
		activity  []Activity // newest first
		check     int        // the activity looked at
		offset    int
		approx    bool
	}{
		{"label: the shipper's address", []PackageAddress{{Type: "ORIGIN", Address: salem}},
			[]Activity{at(chicago, pickup, "150000"), at(us, label, "090000")}, 1, -480, true},
		{"label without shipper's address: the next scan", nil,
			[]Activity{at(denver, transit, "180000"), at(chicago, pickup, "150000"), at(us, label, "090000")}, 2, -360, true},
		{"after pickup: the nearest scan, not the shipper's address", []PackageAddress{{Type: "ORIGIN", Address: atlanta}},
			[]Activity{at(denver, transit, "180000"), at(Address{}, transit, "160000"), at(salem, pickup, "150000")}, 1, -420, true},
		{"label alone: the country's main zone", nil, []Activity{at(us, label, "090000")}, 0, -300, true},
		{"a scan with its own place", []PackageAddress{{Type: "ORIGIN", Address: salem}},
			[]Activity{at(chicago, pickup, "150000"), at(us, label, "090000")}, 0, -360, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Response{TrackResponse: &TrackResponse{Shipment: []Shipment{{Package: []Package{{
				TrackingNumber: "1Z023E2X0214323462", PackageAddress: tc.addresses, Activity: tc.activity,
			}}}}}}
			events := carriertest.ParseEach(t, Parse, r, len(tc.activity))
			carriertest.CheckLocalTime(t, events[tc.check], carriertest.LocalTime{Offset: tc.offset, Inferred: true, Approximate: tc.approx})
		})
	}
}
