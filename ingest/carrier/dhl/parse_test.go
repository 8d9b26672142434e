package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Format, Name, "3318810025", encodeCases, true)
}

// The direct encoder writes what marshalling the payload types writes.
func TestEncodeOneMatchesPayload(t *testing.T) {
	events := carriertest.Events(Name, "3318810025", encodeCases)
	events[0].Service, events[1].Service = "international", "overnight"
	for _, e := range events {
		want, err := carrier.MarshalJSON(payload([]schemas.ScanEvent{e}))
		if err != nil {
			t.Fatal(err)
		}
		carriertest.SameJSON(t, AppendOne([]byte("prefix"), &e)[6:], want)
	}
}

var encodeCases = []carriertest.Case{
	{Status: "info_received"}, {Status: "picked_up"}, {Status: "arrived_at_facility"},
	{Status: "departed_facility"}, {Status: "in_transit"}, {Status: "out_for_delivery"},
	{Status: "delivery_attempted", Detail: "recipient_unavailable"},
	{Status: "delivery_attempted", Detail: "address_issue"},
	{Status: "available_for_pickup", Detail: "held"}, {Status: "delivered"},
	{Status: "exception", Detail: "weather"}, {Status: "exception", Detail: "customs"},
	{Status: "returned_to_sender"}, {Status: "unknown"},
}

// Only the shipment id and the event timestamps can make a reply malformed
// by their JSON type: every other value of another type is read leniently
// or left out, and one the parser does not read changes nothing.
// testdata/numeric_id.json is the response example of DHL's Unified API
// reference (its OpenAPI description), dates moved to 2026: its id is a
// JSON number, and it carries most of the fields parcelcast does not read.
func TestTypeChanges(t *testing.T) {
	for _, file := range []string{"testdata/journey.json", "testdata/numeric_id.json"} {
		t.Run(file, func(t *testing.T) {
			carriertest.TypeChanges(t, Parse, file, needed, reads...)
		})
	}
}

// reads are the fields Parse reads.
var reads = []string{
	"title", "status",
	"shipments.id", "shipments.service", "shipments.estimatedTimeOfDelivery",
	"shipments.origin.address.addressLocality", "shipments.origin.address.postalCode", "shipments.origin.address.countryCode",
	"shipments.destination.address.addressLocality", "shipments.destination.address.postalCode", "shipments.destination.address.countryCode",
	"shipments.details.product.productName",
	"shipments.events.timestamp", "shipments.events.statusCode", "shipments.events.status",
	"shipments.events.description", "shipments.events.remark",
	"shipments.events.location.address.addressLocality", "shipments.events.location.address.postalCode",
	"shipments.events.location.address.countryCode",
}
