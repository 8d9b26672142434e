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

// testdata/control_chars.json is the Track API reply of journey.json cut to
// two scans, with NUL padding and control characters in its text: the code
// "DL\u0000" is still DL, and no field keeps one.

// Only the tracking number and the scan times can make a reply malformed
// by their JSON type: every other value of another type is read leniently
// or left out, and one the parser does not read changes nothing.
func TestTypeChanges(t *testing.T) {
	for _, file := range []string{"testdata/journey.json", "testdata/exception.json"} {
		t.Run(file, func(t *testing.T) {
			carriertest.TypeChanges(t, Parse, file, needed, reads...)
		})
	}
}

// reads are the fields Parse reads.
var reads = []string{
	"errors.code", "errors.message",
	"output.completeTrackResults.trackingNumber",
	"output.completeTrackResults.trackResults.trackingNumberInfo.trackingNumber",
	"output.completeTrackResults.trackResults.error.code",
	"output.completeTrackResults.trackResults.error.message",
	"output.completeTrackResults.trackResults.serviceDetail.type",
	"output.completeTrackResults.trackResults.serviceDetail.description",
	"output.completeTrackResults.trackResults.shipperInformation.address.city",
	"output.completeTrackResults.trackResults.shipperInformation.address.stateOrProvinceCode",
	"output.completeTrackResults.trackResults.shipperInformation.address.postalCode",
	"output.completeTrackResults.trackResults.shipperInformation.address.countryCode",
	"output.completeTrackResults.trackResults.recipientInformation.address.city",
	"output.completeTrackResults.trackResults.recipientInformation.address.stateOrProvinceCode",
	"output.completeTrackResults.trackResults.recipientInformation.address.postalCode",
	"output.completeTrackResults.trackResults.recipientInformation.address.countryCode",
	"output.completeTrackResults.trackResults.dateAndTimes.type",
	"output.completeTrackResults.trackResults.dateAndTimes.dateTime",
	"output.completeTrackResults.trackResults.standardTransitTimeWindow.window.ends",
	"output.completeTrackResults.trackResults.scanEvents.date",
	"output.completeTrackResults.trackResults.scanEvents.eventType",
	"output.completeTrackResults.trackResults.scanEvents.eventDescription",
	"output.completeTrackResults.trackResults.scanEvents.exceptionDescription",
	"output.completeTrackResults.trackResults.scanEvents.derivedStatusCode",
	"output.completeTrackResults.trackResults.scanEvents.delayDetail.type",
	"output.completeTrackResults.trackResults.scanEvents.scanLocation.city",
	"output.completeTrackResults.trackResults.scanEvents.scanLocation.stateOrProvinceCode",
	"output.completeTrackResults.trackResults.scanEvents.scanLocation.postalCode",
	"output.completeTrackResults.trackResults.scanEvents.scanLocation.countryCode",
}
