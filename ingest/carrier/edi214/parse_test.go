package edi214

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier/carriertest"
)

func TestGolden(t *testing.T) { carriertest.Golden(t, Parse, "testdata/*.edi") }

func FuzzParse(f *testing.F) { carriertest.Fuzz(f, Parse, "testdata/*.edi") }

func TestCodesDocumented(t *testing.T) {
	var st, re []string
	for c := range statuses {
		st = append(st, c)
	}
	for c := range reasons {
		re = append(re, c)
	}
	carriertest.Documented(t, "#### AT7 status codes", st)
	carriertest.Documented(t, "#### AT7 reason codes", re)
}

func TestEncodeRoundTrip(t *testing.T) {
	carriertest.RoundTrip(t, Format, "ontrac", "C10999911320231", []carriertest.Case{
		{Status: "info_received"}, {Status: "picked_up"}, {Status: "arrived_at_facility"},
		{Status: "departed_facility"}, {Status: "in_transit"}, {Status: "out_for_delivery"},
		{Status: "delivery_attempted", Detail: "recipient_unavailable"},
		{Status: "delivery_attempted", Detail: "business_closed"},
		{Status: "available_for_pickup", Detail: "held"},
		{Status: "exception", Detail: "weather"}, {Status: "exception", Detail: "damaged"},
		{Status: "exception", Detail: "refused"}, {Status: "exception", Detail: "customs"},
		{Status: "cancelled"}, {Status: "unknown"},
		{Status: "delivered"}, {Status: "returned_to_sender"},
	}, true)
}
