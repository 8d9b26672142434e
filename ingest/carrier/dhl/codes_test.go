package dhl

import (
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// statusCodes are the event classes DHL publishes for statusCode
// (docs/carriers.md names the list).
var statusCodes = []string{"pre-transit", "transit", "delivered", "failure", "unknown"}

// Every published class but unknown, DHL's own word for an event it does
// not classify, maps to a status of its own, whatever the words.
func TestPublishedCodesAreMapped(t *testing.T) {
	for _, c := range statusCodes {
		m := mapEvent(&Event{StatusCode: c, Status: "Status update"})
		switch {
		case c == "unknown" && m.Status != schemas.StatusUnknown:
			t.Errorf("class unknown with no words maps to %s", m.Status)
		case c != "unknown" && m.Status == schemas.StatusUnknown:
			t.Errorf("published class %s maps to unknown", c)
		}
	}
}

func TestEventMappings(t *testing.T) {
	tests := []struct {
		ev     Event
		status schemas.Status
	}{
		{Event{StatusCode: "unknown", Status: "LABEL CREATED"}, schemas.StatusInfoReceived},
		{Event{StatusCode: "unknown", Status: "CLOSE BAG"}, schemas.StatusInTransit},
		{Event{StatusCode: "unknown", Status: "SCANNED INTO SACK/CONTAINER"}, schemas.StatusInTransit},
		{Event{StatusCode: "unknown", Status: "Status not available"}, schemas.StatusUnknown},
		// DHL Express replies without a class: the words decide.
		{Event{Description: "Delivered"}, schemas.StatusDelivered},
		{Event{Description: "With delivery courier"}, schemas.StatusOutForDelivery},
		{Event{Description: "Arrived at Sort Facility BRUSSELS - BELGIUM"}, schemas.StatusArrivedAtFacility},
		{Event{Description: "Shipment picked up"}, schemas.StatusPickedUp},
		{Event{Description: "Shipment on hold"}, schemas.StatusUnknown},
		{Event{Description: "Delivery attempted; could not be delivered"}, schemas.StatusDeliveryAttempted},
		{Event{StatusCode: "transit", Status: "PACKAGE RECEIVED AT DHL ECOMMERCE DISTRIBUTION CENTER"}, schemas.StatusArrivedAtFacility},
		{Event{StatusCode: "transit", Status: "ARRIVED AT CUSTOMS"}, schemas.StatusArrivedAtFacility},
		{Event{StatusCode: "pre-transit", Status: "DHL ECOMMERCE CURRENTLY AWAITING SHIPMENT AND TRACKING WILL BE UPDATED WHEN RECEIVED"}, schemas.StatusInfoReceived},
		{Event{StatusCode: "delivered", Description: "Delivered - Signed for by: J SMITH"}, schemas.StatusDelivered},
		{Event{StatusCode: "failure", Description: "The shipment could not be delivered"}, schemas.StatusDeliveryAttempted},
		// A class DHL does not publish stays unknown, to be counted.
		{Event{StatusCode: "in-transit", Status: "PROCESSED"}, schemas.StatusUnknown},
	}
	for _, tc := range tests {
		if m := mapEvent(&tc.ev); m.Status != tc.status {
			t.Errorf("%s %q %q: got %s, want %s", tc.ev.StatusCode, tc.ev.Status, tc.ev.Description, m.Status, tc.status)
		}
	}
}
