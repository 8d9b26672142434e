package ups

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Format, Name, "1Z999AA10123456784", encodeCases, true)
}

// The direct encoder writes what marshalling the payload types writes.
func TestEncodeOneMatchesPayload(t *testing.T) {
	for _, e := range carriertest.Events(Name, "1Z999AA10123456784", encodeCases) {
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
	{Status: "exception", Detail: "address_issue"}, {Status: "exception", Detail: "customs"},
	{Status: "returned_to_sender"}, {Status: "cancelled"}, {Status: "unknown"},
}
