package fedex

import (
	"strings"
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

// testdata/two_shipments.json is one number carrying two shipments, as the
// Track API v1 reference's response shape has it (trackResults is a list;
// a number FedEx has reused or duplicated comes as one result per shipment,
// each with its own trackingNumberUniqueId), built from journey.json: the
// two pickups at the same minute and place stay two journeys with two ids.

// Each result's unique id is its events' shipment key, whatever the other
// results say; a result without one has none.
func TestShipmentKeys(t *testing.T) {
	result := func(key string) string {
		info := `"trackingNumber": "799531274483"`
		if key != "-" {
			info += `, "trackingNumberUniqueId": ` + key
		}
		return `{"trackingNumberInfo": {` + info + `}, "scanEvents": [{"date": "2026-03-04T17:06:00-06:00", "eventType": "PU",
			"scanLocation": {"city": "MEMPHIS", "stateOrProvinceCode": "TN", "postalCode": "38118", "countryCode": "US"}}]}`
	}
	for _, tc := range []struct {
		name    string
		results []string
		want    []string
	}{
		{"one", []string{`"2460~799531274483~FDEG"`}, []string{"2460~799531274483~FDEG"}},
		{"none", []string{"-"}, []string{""}},
		{"empty", []string{`""`}, []string{""}},
		{"spaces and NUL", []string{`" 2460~799531274483~FDEG\u0000 "`}, []string{"2460~799531274483~FDEG"}},
		{"two", []string{`"2460~799531274483~FDEG"`, `"2461~799531274483~FDEG"`}, []string{"2460~799531274483~FDEG", "2461~799531274483~FDEG"}},
		{"keyed and not", []string{"-", `"2461~799531274483~FDEG"`}, []string{"", "2461~799531274483~FDEG"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results := make([]string, len(tc.results))
			for i, k := range tc.results {
				results[i] = result(k)
			}
			reply := `{"output": {"completeTrackResults": [{"trackingNumber": "799531274483", "trackResults": [` +
				strings.Join(results, ",") + `]}]}}`
			out, err := Parse([]byte(reply))
			if err != nil {
				t.Fatalf("%v\n%s", err, reply)
			}
			if len(out) != len(tc.want) {
				t.Fatalf("%d events, want %d", len(out), len(tc.want))
			}
			ids := map[string]bool{}
			for i, e := range out {
				if e.ShipmentKey != tc.want[i] {
					t.Errorf("event %d: key %q, want %q", i, e.ShipmentKey, tc.want[i])
				}
				ids[e.EventID] = true
			}
			if len(ids) != len(out) {
				t.Errorf("%d events share %d ids", len(out), len(ids))
			}
		})
	}
}

// Two shipments under one number encode as two results and parse back as
// two journeys, as the simulator publishes a reused FedEx number.
func TestEncodeTwoShipments(t *testing.T) {
	events := carriertest.Events(Name, "986578788855", encodeCases[:4])
	second := carriertest.Events(Name, "986578788855", encodeCases[:2])
	for i := range events {
		events[i].ShipmentKey = "1~986578788855~FX"
	}
	for i := range second {
		second[i].ShipmentKey = "2~986578788855~FX"
	}
	payload, err := Encode(append(events, second...))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Parse(payload)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range out {
		n[e.ShipmentKey]++
	}
	if n["1~986578788855~FX"] != 4 || n["2~986578788855~FX"] != 2 || len(n) != 2 {
		t.Errorf("events by key %v, want 4 and 2\n%s", n, payload)
	}
	one := AppendOne(nil, &second[0])
	if out, err := Parse(one); err != nil || len(out) != 1 || out[0].ShipmentKey != "2~986578788855~FX" {
		t.Errorf("one event: %+v, %v\n%s", out, err, one)
	}
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
	"output.completeTrackResults.trackResults.trackingNumberInfo.trackingNumberUniqueId",
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
