// Package livetest makes shipments in flight for the live state's tests
// and benchmarks: realistic numbers, carriers, places and texts, as many
// as asked, the same for the same index.
package livetest

import (
	"fmt"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// ScansPerShipment is how many scans each shipment has: a parcel about
// two days into a ground journey.
const ScansPerShipment = 8

var (
	carriers = []string{"ups", "fedex", "usps", "dhl"}
	services = []string{"ground", "2day", "priority", "express"}
	cities   = []struct{ city, region, postal string }{
		{"Atlanta", "GA", "30301"}, {"Memphis", "TN", "38118"}, {"Louisville", "KY", "40201"}, {"Chicago", "IL", "60601"},
		{"Dallas", "TX", "75201"}, {"Newark", "NJ", "07101"}, {"Ontario", "CA", "91761"}, {"Indianapolis", "IN", "46201"},
		{"Columbus", "OH", "43085"}, {"Phoenix", "AZ", "85001"}, {"Denver", "CO", "80201"}, {"Seattle", "WA", "98101"},
	}
	steps = []schemas.Status{schemas.StatusInfoReceived, schemas.StatusPickedUp, schemas.StatusDepartedFacility,
		schemas.StatusArrivedAtFacility, schemas.StatusDepartedFacility, schemas.StatusArrivedAtFacility,
		schemas.StatusInTransit, schemas.StatusOutForDelivery}
)

// Number is the tracking number of shipment i.
func Number(i int) string { return fmt.Sprintf("1Z%03dAA1%010d", i%1000, i) }

// Shipment appends shipment i's scans to dst: eight scans, the last
// one at most a day before now, ids computed as ingest computes them.
func Shipment(dst []schemas.ScanEvent, i int, now time.Time) []schemas.ScanEvent {
	number := Number(i)
	carrier, service := carriers[i%len(carriers)], services[(i/4)%len(services)]
	o, d := cities[i%len(cities)], cities[(i/7+3)%len(cities)]
	start := now.Add(-time.Duration(48+i%24) * time.Hour).Truncate(time.Second)
	promised := start.Add(96 * time.Hour).Truncate(24 * time.Hour)
	for k, st := range steps {
		at := cities[(i+k*5)%len(cities)]
		if k == len(steps)-1 {
			at = d
		}
		e := schemas.ScanEvent{TrackingNumber: number, Carrier: carrier, Service: service, Status: st,
			CarrierCode: fmt.Sprintf("%s-%02d", carrier[:1], k), Description: string(st) + " at " + at.city,
			EventTime: start.Add(time.Duration(k*5) * time.Hour), UTCOffsetMinutes: -300,
			Location:    schemas.Location{City: at.city, Region: at.region, PostalCode: at.postal, Country: "US"},
			Origin:      schemas.Location{PostalCode: o.postal, Region: o.region, Country: "US"},
			Destination: schemas.Location{PostalCode: d.postal, Region: d.region, Country: "US"},
			Mode:        "ground", PromisedDelivery: &promised,
			Source: schemas.Source{Topic: "parcelcast.scans.normalized", IngestedAt: start.Add(time.Duration(k*5)*time.Hour + time.Minute)},
		}
		e.EventID = schemas.ComputeEventID(&e)
		dst = append(dst, e)
	}
	return dst
}
