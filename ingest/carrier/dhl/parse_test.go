package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Encode, Parse, Name, "3318810025", []carriertest.Case{
		{Status: "info_received"}, {Status: "picked_up"}, {Status: "arrived_at_facility"},
		{Status: "departed_facility"}, {Status: "in_transit"}, {Status: "out_for_delivery"},
		{Status: "delivery_attempted", Detail: "recipient_unavailable"},
		{Status: "delivery_attempted", Detail: "address_issue"},
		{Status: "available_for_pickup", Detail: "held"}, {Status: "delivered"},
		{Status: "exception", Detail: "weather"}, {Status: "exception", Detail: "customs"},
		{Status: "returned_to_sender"}, {Status: "unknown"},
	})
}
