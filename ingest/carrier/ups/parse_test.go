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
	"response.errors",
	"trackResponse.shipment.package.trackingNumber",
	"trackResponse.shipment.package.service.description",
	"trackResponse.shipment.package.packageAddress.type",
	"trackResponse.shipment.package.packageAddress.address.city",
	"trackResponse.shipment.package.packageAddress.address.stateProvince",
	"trackResponse.shipment.package.packageAddress.address.postalCode",
	"trackResponse.shipment.package.packageAddress.address.country",
	"trackResponse.shipment.package.packageAddress.address.countryCode",
	"trackResponse.shipment.package.deliveryDate.type",
	"trackResponse.shipment.package.deliveryDate.date",
	"trackResponse.shipment.package.deliveryTime.type",
	"trackResponse.shipment.package.deliveryTime.endTime",
	"trackResponse.shipment.package.activity.status.type",
	"trackResponse.shipment.package.activity.status.code",
	"trackResponse.shipment.package.activity.status.description",
	"trackResponse.shipment.package.activity.location.address.city",
	"trackResponse.shipment.package.activity.location.address.stateProvince",
	"trackResponse.shipment.package.activity.location.address.postalCode",
	"trackResponse.shipment.package.activity.location.address.country",
	"trackResponse.shipment.package.activity.location.address.countryCode",
	"trackResponse.shipment.package.activity.date",
	"trackResponse.shipment.package.activity.time",
	"trackResponse.shipment.package.activity.gmtDate",
	"trackResponse.shipment.package.activity.gmtTime",
	"trackResponse.shipment.package.activity.gmtOffset",
}
