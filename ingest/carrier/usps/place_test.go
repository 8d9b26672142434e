package usps

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestStateInCity(t *testing.T) {
	for city, want := range map[string]string{
		"CHICAGO IL DISTRIBUTION CENTER":           "IL",
		"SAN DIEGO CA NETWORK DISTRIBUTION CENTER": "CA",
		"ISC NEW YORK NY(USPS)":                    "NY",
		"INDIANAPOLIS IN DISTRIBUTION CENTER":      "IN",
		"SAN JUAN PR DISTRIBUTION CENTER":          "PR",
		"ST LOUIS MO DISTRIBUTION CENTER":          "MO",
		"phoenix az processing center":             "AZ",
		"NEW YORK":                                 "",
		"NEW ORLEANS LA":                           "LA",
		"LA PUENTE":                                "",
		"DE SOTO":                                  "",
		"LA GRANGE PARK":                           "",
		"LOS ANGELES":                              "",
		"":                                         "",
		"  ":                                       "",
	} {
		if got := stateInCity(city); got != want {
			t.Errorf("%q: got %q, want %q", city, got, want)
		}
	}
}

// A Web Tools scan with neither state nor ZIP is read in the zone of the
// state its city names, else of the next scan's place, and flagged
// approximate: never silently in the origin's zone.
func TestXMLScanWithoutStateOrZIP(t *testing.T) {
	const (
		phoenix = `<EventCity>PHOENIX</EventCity><EventState>AZ</EventState><EventZIPCode>85004</EventZIPCode>`
		denver  = `<EventCity>DENVER</EventCity><EventState>CO</EventState><EventZIPCode>80202</EventZIPCode>`
		chicago = `<EventCity>CHICAGO</EventCity><EventState>IL</EventState><EventZIPCode>60601</EventZIPCode>`
		nowhere = `<EventCity/><EventState/><EventZIPCode/>`
	)
	tests := []struct {
		name   string
		places []string // the events' places, newest first; the second is looked at
		offset int
		approx bool
	}{
		{"its own place", []string{phoenix, chicago, denver}, -360, false},
		{"the state its city names", []string{phoenix, `<EventCity>CHICAGO IL DISTRIBUTION CENTER</EventCity><EventState/><EventZIPCode/>`, denver},
			-360, true},
		{"no place: the next scan's", []string{phoenix, nowhere, denver}, -420, true},
		{"no place, nor the next: the one before", []string{nowhere, nowhere, denver}, -420, true},
		{"a city naming no state: the next scan's", []string{chicago, `<EventCity>DISTRIBUTION CENTER</EventCity><EventState/><EventZIPCode/>`, denver},
			-360, true},
		{"no place anywhere: the origin's", []string{nowhere, nowhere, nowhere}, -300, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`<TrackResponse><TrackInfo ID="9400111201080805483016"><OriginCity>NEW YORK</OriginCity><OriginState>NY</OriginState>` +
				`<OriginZip>10001</OriginZip><DestinationCity>SAN DIEGO</DestinationCity><DestinationState>CA</DestinationState><DestinationZip>92101</DestinationZip>`)
			for i, p := range tc.places {
				tag := "TrackDetail"
				if i == 0 {
					tag = "TrackSummary"
				}
				fmt.Fprintf(&b, "<%s><EventTime>%d:00 pm</EventTime><EventDate>November 4, 2026</EventDate><Event>In Transit to Next Facility</Event>%s<EventCountry/><EventCode>NT</EventCode></%s>",
					tag, 11-i, p, tag)
			}
			b.WriteString(`</TrackInfo></TrackResponse>`)
			events, err := Parse([]byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			e := events[1]
			if e.UTCOffsetMinutes != tc.offset || e.OffsetApproximate != tc.approx || !e.OffsetInferred {
				t.Errorf("offset %d approximate %v inferred %v, want offset %d approximate %v",
					e.UTCOffsetMinutes, e.OffsetApproximate, e.OffsetInferred, tc.offset, tc.approx)
			}
		})
	}
}

// A v3 event whose GMTTimestamp comes without GMTOffset keeps its instant
// and takes its offset from the zone found as for a local time.
func TestV3InstantWithoutOffset(t *testing.T) {
	const chicago = `"eventCity": "CHICAGO", "eventState": "IL", "eventZIP": "60601"`
	tests := []struct {
		name   string
		place  string // the event looked at, the older of two
		offset int
		approx bool
	}{
		{"its own place", `"eventCity": "DENVER", "eventState": "CO", "eventZIP": "80202"`, -420, false},
		{"the state its city names", `"eventCity": "DENVER CO DISTRIBUTION CENTER"`, -420, true},
		{"no place: the next event's", `"eventCity": ""`, -360, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := `{"trackingNumber": "9400111201080805483016", "originCity": "NEW YORK", "originState": "NY", "originZIP": "10001",
				"trackingEvents": [
				{"eventType": "Arrived at USPS Regional Facility", "eventTimestamp": "2026-11-05T11:15:00", ` + chicago + `, "eventCode": "A1"},
				{"eventType": "In Transit to Next Facility", "eventTimestamp": "2026-11-04T23:00:00", "GMTTimestamp": "2026-11-05T06:00:00Z", ` +
				tc.place + `, "eventCode": "NT"}]}`
			events, err := Parse([]byte(payload))
			if err != nil {
				t.Fatal(err)
			}
			e := events[1]
			if !e.EventTime.Equal(time.Date(2026, 11, 5, 6, 0, 0, 0, time.UTC)) || e.UTCOffsetMinutes != tc.offset ||
				e.OffsetApproximate != tc.approx || !e.OffsetInferred {
				t.Errorf("%s offset %d approximate %v inferred %v, want 06:00Z offset %d approximate %v",
					e.EventTime, e.UTCOffsetMinutes, e.OffsetApproximate, e.OffsetInferred, tc.offset, tc.approx)
			}
		})
	}
}
