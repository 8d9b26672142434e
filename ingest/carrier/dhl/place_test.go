package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
	"github.com/parcelcast/parcelcast/schemas"
)

// An event whose place has no zone of its own (only a country of several
// zones, a locality without a country, no place at all) is read in the
// zone of the shipper's address before pickup, of the nearest other event
// after it, and flagged approximate; it never fails the payload.
func TestEventWithoutZone(t *testing.T) {
	var (
		us       = &Place{Address: Address{CountryCode: "US"}}
		salem    = &Place{Address: Address{AddressLocality: "Salem, OR", PostalCode: "97301", CountryCode: "US"}}
		chicago  = &Place{Address: Address{AddressLocality: "Chicago", PostalCode: "60601", CountryCode: "US"}}
		denver   = &Place{Address: Address{AddressLocality: "Denver", PostalCode: "80202", CountryCode: "US"}}
		atlanta  = &Place{Address: Address{AddressLocality: "Atlanta", PostalCode: "30303", CountryCode: "US"}}
		leipzig  = &Place{Address: Address{AddressLocality: "Leipzig - Germany"}} // a locality only
		berlin   = &Place{Address: Address{AddressLocality: "Berlin", CountryCode: "DE"}}
		moscow   = &Place{Address: Address{AddressLocality: "Moscow", CountryCode: "RU"}}
		russia   = &Place{Address: Address{CountryCode: "RU"}}
		label    = "pre-transit"
		transit  = "transit"
		delivery = "delivered"
	)
	at := func(p *Place, class, ts string) Event { return Event{Location: p, StatusCode: class, Timestamp: ts} }
	tests := []struct {
		name   string
		origin *Place
		events []Event // newest first
		check  int     // the event looked at
		offset int
		approx bool
	}{
		{"label, only a country: the shipper's address", salem,
			[]Event{at(chicago, transit, "2026-11-04T15:00:00"), at(us, label, "2026-11-04T09:00:00")}, 1, -480, true},
		{"label without a place, no shipper's address: the next event", nil,
			[]Event{at(denver, transit, "2026-11-04T18:00:00"), at(chicago, transit, "2026-11-04T15:00:00"), at(nil, label, "2026-11-04T09:00:00")}, 2, -360, true},
		{"after pickup, no place: the nearest event, not the shipper's address", atlanta,
			[]Event{at(denver, transit, "2026-11-04T18:00:00"), at(nil, transit, "2026-11-04T16:00:00"), at(salem, transit, "2026-11-04T15:00:00")}, 1, -420, true},
		{"a locality only: the nearest event", nil,
			[]Event{at(berlin, delivery, "2026-11-05T10:00:00"), at(leipzig, transit, "2026-11-04T22:00:00")}, 1, 60, true},
		{"only a country of several zones: the nearest event", nil,
			[]Event{at(moscow, delivery, "2026-11-05T10:00:00"), at(russia, transit, "2026-11-04T22:00:00")}, 1, 180, true},
		{"alone, only a country of several zones: its main zone", nil, []Event{at(us, transit, "2026-11-04T09:00:00")}, 0, -300, true},
		{"an event with its own place", salem,
			[]Event{at(chicago, transit, "2026-11-04T15:00:00"), at(us, label, "2026-11-04T09:00:00")}, 0, -360, false},
		{"a locality in a country of one zone is its own place", nil,
			[]Event{at(berlin, delivery, "2026-11-05T10:00:00")}, 0, 60, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Response{Shipments: []Shipment{{ID: "00340434161094042557", Service: "parcel-de", Origin: tc.origin, Events: tc.events}}}
			events := carriertest.ParseEach(t, Parse, r, len(tc.events))
			carriertest.CheckLocalTime(t, events[tc.check], carriertest.LocalTime{Offset: tc.offset, Inferred: true, Approximate: tc.approx})
		})
	}
}

// A DHL Express locality without a country code names its country, and
// in North America its state or province, after the last " - ".
// testdata/locality_only.json is a DHL Express reply of the Unified API as
// published in another project's code (only addressLocality in every
// place, timestamps without offset), numbers changed and dates moved.
func TestStatedPlace(t *testing.T) {
	tests := []struct {
		locality, country string
		want              schemas.Location
	}{
		{"CINCINNATI HUB, OH - USA", "", schemas.Location{Region: "OH", Country: "US"}},
		{"SOUTHERN ALBERTA, AB - CANADA", "", schemas.Location{Region: "AB", Country: "CA"}},
		{"KARACHI - PAKISTAN", "", schemas.Location{Country: "PK"}},
		{"KARACHI - KARACHI - PAKISTAN", "", schemas.Location{Country: "PK"}},
		{"SHARJAH - UNITED ARAB EMIRATES", "", schemas.Location{Country: "AE"}},
		{"HEATHROW, GB - UNITED KINGDOM", "", schemas.Location{Country: "GB"}}, // GB is no region of GB's
		{"CALGARY", "", schemas.Location{}},
		{"SOMEWHERE - ATLANTIS", "", schemas.Location{}},
		{"MANAUS - BRAZIL", "BR", schemas.Location{}}, // a country code: the place is its own
		{" - ", "", schemas.Location{}},
		{"", "", schemas.Location{}},
	}
	for _, tc := range tests {
		if got := statedPlace(schemas.Location{City: tc.locality, Country: tc.country}); got != tc.want {
			t.Errorf("statedPlace(%q, %q) = %+v, want %+v", tc.locality, tc.country, got, tc.want)
		}
	}
}
