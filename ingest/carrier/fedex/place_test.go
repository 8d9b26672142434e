package fedex

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

// A scan dated without an offset whose place has no zone of its own (only
// a country of several zones, a city alone, no place at all) is read in
// the zone of the shipper's address before pickup, of the nearest other
// scan otherwise, and flagged approximate; it never fails the payload.
// FedEx's published replies date every scan with its offset; this is the
// rule for one that does not.
func TestScanWithoutZone(t *testing.T) {
	var (
		us      = Address{CountryCode: "US"}
		salem   = Address{City: "SALEM", StateOrProvinceCode: "OR", PostalCode: "97301", CountryCode: "US"}
		chicago = Address{City: "CHICAGO", StateOrProvinceCode: "IL", PostalCode: "60601", CountryCode: "US"}
		denver  = Address{City: "DENVER", StateOrProvinceCode: "CO", PostalCode: "80202", CountryCode: "US"}
		atlanta = Address{City: "ATLANTA", StateOrProvinceCode: "GA", PostalCode: "30303", CountryCode: "US"}
		memphis = Address{City: "MEMPHIS"} // a city alone
	)
	scan := func(a Address, code, date string) ScanEvent {
		return ScanEvent{ScanLocation: a, EventType: code, Date: date}
	}
	tests := []struct {
		name    string
		shipper *Party
		scans   []ScanEvent // newest first
		check   int         // the scan looked at
		offset  int
		approx  bool
	}{
		{"label, only a country: the shipper's address", &Party{Address: salem},
			[]ScanEvent{scan(chicago, "PU", "2026-11-04T15:00:00"), scan(us, "OC", "2026-11-04T09:00:00")}, 1, -480, true},
		{"label without a place, no shipper's address: the next scan", nil,
			[]ScanEvent{scan(denver, "IT", "2026-11-04T18:00:00"), scan(chicago, "PU", "2026-11-04T15:00:00"), scan(Address{}, "OC", "2026-11-04T09:00:00")}, 2, -360, true},
		{"after pickup, no place: the nearest scan, not the shipper's address", &Party{Address: atlanta},
			[]ScanEvent{scan(denver, "IT", "2026-11-04T18:00:00"), scan(Address{}, "IT", "2026-11-04T16:00:00"), scan(salem, "PU", "2026-11-04T15:00:00")}, 1, -420, true},
		{"a city alone: the nearest scan", nil,
			[]ScanEvent{scan(chicago, "AR", "2026-11-05T06:00:00"), scan(memphis, "DP", "2026-11-04T22:00:00"), scan(atlanta, "PU", "2026-11-04T15:00:00")}, 1, -360, true},
		{"alone, only a country of several zones: its main zone", nil, []ScanEvent{scan(us, "IT", "2026-11-04T09:00:00")}, 0, -300, true},
		{"a scan with its own place", &Party{Address: salem},
			[]ScanEvent{scan(chicago, "PU", "2026-11-04T15:00:00"), scan(us, "OC", "2026-11-04T09:00:00")}, 0, -360, false},
		{"a scan with its offset", nil, []ScanEvent{scan(us, "OC", "2026-11-04T09:00:00-08:00")}, 0, -480, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Response{Output: &Output{CompleteTrackResults: []CompleteTrackResult{{TrackingNumber: "794843185271",
				TrackResults: []TrackResult{{ShipperInformation: tc.shipper, ScanEvents: tc.scans}}}}}}
			events := carriertest.ParseEach(t, Parse, r, len(tc.scans))
			_, err := time.Parse(time.RFC3339, tc.scans[tc.check].Date)
			inferred := err != nil // no offset in the date
			carriertest.CheckLocalTime(t, events[tc.check], carriertest.LocalTime{Offset: tc.offset, Inferred: inferred, Approximate: tc.approx})
		})
	}
}
