package usps

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json", "testdata/*.xml") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json", "testdata/*.xml") }

func TestCodesDocumented(t *testing.T) {
	var codes []string
	for c := range eventCodes {
		codes = append(codes, c)
	}
	carriertest.Documented(t, "#### USPS event codes", codes)
}

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Format, Name, "9400111201080805483016", encodeCases, true)
}

// The direct encoder writes what marshalling the payload types writes.
func TestEncodeOneMatchesPayload(t *testing.T) {
	events := carriertest.Events(Name, "9400111201080805483016", encodeCases)
	events[0].Location.Country = "FR"
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
	{Status: "delivery_attempted", Detail: "business_closed"},
	{Status: "available_for_pickup", Detail: "held"}, {Status: "delivered"},
	{Status: "exception", Detail: "weather"}, {Status: "exception", Detail: "damaged"},
	{Status: "exception", Detail: "delay"},
	{Status: "returned_to_sender"}, {Status: "returned_to_sender", Detail: "address_issue"},
	{Status: "cancelled"}, {Status: "unknown"},
}

// Only the tracking number and the event timestamps can make a v3 reply
// malformed by their JSON type: every other value of another type is read
// leniently or left out, and one the parser does not read changes nothing.
func TestTypeChanges(t *testing.T) {
	for _, file := range []string{"testdata/journey.json", "testdata/exception.json"} {
		t.Run(file, func(t *testing.T) {
			carriertest.TypeChanges(t, Parse, file, needed, reads...)
		})
	}
}

// reads are the v3 fields ParseJSON reads.
var reads = []string{
	"trackingNumber", "mailClass", "error",
	"originCity", "originState", "originZIP", "originCountry",
	"destinationCity", "destinationState", "destinationZIP", "destinationCountryCode",
	"expectedDeliveryTimeStamp", "guaranteedDeliveryTimeStamp",
	"trackingEvents.eventType", "trackingEvents.eventTimestamp", "trackingEvents.GMTTimestamp",
	"trackingEvents.GMTOffset", "trackingEvents.eventCountry", "trackingEvents.eventCity",
	"trackingEvents.eventState", "trackingEvents.eventZIP", "trackingEvents.eventZIPCode",
	"trackingEvents.eventCode",
}
