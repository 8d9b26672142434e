package fedex

import (
	"testing"
	"time"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
	"github.com/parcelcast/parcelcast/schemas"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.json") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.json") }

func TestCodesDocumented(t *testing.T) {
	var codes []string
	for c := range eventTypes {
		codes = append(codes, c)
	}
	carriertest.Documented(t, "#### FedEx event codes", codes)
}

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Format, Name, "986578788855", encodeCases, true)
}

// The direct encoder writes what marshalling the payload types writes.
func TestEncodeOneMatchesPayload(t *testing.T) {
	events := carriertest.Events(Name, "986578788855", encodeCases)
	promise := time.Date(2026, 3, 12, 20, 0, 0, 0, time.UTC)
	events[0].PromisedDelivery = &promise
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
	{Status: "exception", Detail: "weather"}, {Status: "exception", Detail: "damaged"},
	{Status: "exception", Detail: "customs"}, {Status: "exception", Detail: "delay"},
	{Status: "returned_to_sender"}, {Status: "cancelled"}, {Status: "unknown"},
}
