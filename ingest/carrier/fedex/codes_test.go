package fedex

import (
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// publishedCodes is FedEx's list of tracking status codes (the Track
// service's StatusDetail codes, which the Track API's eventType and
// derivedStatusCode carry), with FedEx's own wording, and the derived
// code IN of the Track API's replies.
var publishedCodes = map[string]string{
	"AA": "At Airport", "AC": "At Canada Post facility", "AD": "At Delivery",
	"AE": "Shipment arriving early", "AF": "At FedEx Facility", "AS": "Address corrected",
	"AO": "Shipment arriving On-time", "AP": "At Pickup", "AR": "Arrived",
	"AX": "At USPS facility", "BR": "Broker", "CA": "Shipment Cancelled",
	"CC": "International shipment release", "CD": "Clearance delay", "CH": "Location Changed",
	"CP": "Clearance in progress", "CU": "Customs", "DD": "Delivery Delay",
	"DE": "Delivery Exception", "DL": "Delivered", "DO": "Delivered (at Original Destination)",
	"DP": "Departed", "DR": "Vehicle furnished but not used", "DS": "Vehicle Dispatched",
	"DY": "Delay", "EA": "Enroute to Airport", "ED": "Enroute to Delivery",
	"EO": "Enroute to Origin Airport", "EP": "Enroute to Pickup", "FD": "At FedEx Destination",
	"HA": "Hold at location request accepted", "HL": "Hold at Location",
	"HP": "Ready for recipient pickup", "IP": "In transit", "IT": "In Transit",
	"IX": "In transit (see Details)", "LO": "Left Origin", "OC": "Order Created",
	"OD": "Out for Delivery", "OF": "At FedEx origin facility",
	"OX": "Shipment information sent to USPS", "PD": "Pickup Delay", "PF": "Plane in Flight",
	"PL": "Plane Landed", "PM": "In Progress", "PU": "Picked Up", "PX": "Picked up (see Details)",
	"RR": "CDO requested", "RM": "CDO Modified", "RC": "CDO Cancelled", "RS": "Return to Shipper",
	"RP": "Return label link emailed to return sender",
	"LP": "Return label link cancelled by shipment originator",
	"RG": "Return label link expiring soon", "RD": "Return label link expired",
	"SE": "Shipment Exception", "SF": "At Sort Facility", "SP": "Split Status",
	"IN": "Initiated",
}

func TestPublishedCodesAreMapped(t *testing.T) {
	for code, meaning := range publishedCodes {
		if m := mapEvent(&ScanEvent{EventType: code, EventDescription: meaning}); m.Status == schemas.StatusUnknown {
			t.Errorf("published code %s (%s) maps to unknown", code, meaning)
		}
	}
}

func TestEventMappings(t *testing.T) {
	tests := []struct {
		event  ScanEvent
		status schemas.Status
		detail string
	}{
		{ScanEvent{EventType: "AE", EventDescription: "Shipment arriving early"}, schemas.StatusInTransit, "early"},
		{ScanEvent{EventType: "AO", EventDescription: "Shipment arriving On-time"}, schemas.StatusInTransit, ""},
		{ScanEvent{EventType: "DO"}, schemas.StatusDelivered, ""},
		{ScanEvent{EventType: "HA"}, schemas.StatusInTransit, "held"},
		{ScanEvent{EventType: "AS"}, schemas.StatusInTransit, "address_issue"},
		{ScanEvent{EventType: "BR"}, schemas.StatusInTransit, "customs"},
		{ScanEvent{EventType: "LP"}, schemas.StatusCancelled, ""},
		{ScanEvent{DerivedStatusCode: "IN"}, schemas.StatusInfoReceived, ""},
		// An unpublished event type falls back to its derived code.
		{ScanEvent{EventType: "Q7", DerivedStatusCode: "IT"}, schemas.StatusInTransit, ""},
		// A code FedEx does not publish stays unknown, to be counted.
		{ScanEvent{EventType: "ZZ", EventDescription: "Status update"}, schemas.StatusUnknown, ""},
		{ScanEvent{EventType: "de", EventDescription: "Delivery exception", ExceptionDescription: "Customer not available or business closed"}, schemas.StatusDeliveryAttempted, "recipient_unavailable"},
	}
	for _, tc := range tests {
		m := mapEvent(&tc.event)
		if m.Status != tc.status || m.Detail != tc.detail {
			t.Errorf("%s/%s %q: got %s/%s, want %s/%s", tc.event.EventType, tc.event.DerivedStatusCode, tc.event.EventDescription, m.Status, m.Detail, tc.status, tc.detail)
		}
	}
}
