package usps

import (
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// publishedCodes are the USPS tracking event codes of the lists
// docs/carriers.md names, each with USPS's wording of the event.
var publishedCodes = map[string]string{
	"GX": "Shipping Label Created", "MA": "Pre-Shipment Info Sent to USPS",
	"89": "Merchant Order Receipt Notification, USPS Awaiting Item", "GC": "Return Receipt Associated",
	"03": "Acceptance", "OA": "Origin Acceptance", "UA": "Accepted at USPS Facility",
	"AD": "Acceptance at Destination", "TM": "Shipment Received, Package Acceptance Pending",
	"43": "Picked Up", "80": "Picked Up by Shipping Partner", "81": "Arrived at Shipping Partner Facility",
	"82": "Departed Shipping Partner Facility", "83": "Tendered to Postal Service",
	"A1": "Arrived at USPS Regional Facility", "10": "Processed Through USPS Facility",
	"07": "Arrival at Unit", "U1": "Arrived at USPS Facility", "L1": "Departed USPS Facility",
	"T1": "Departed USPS Regional Facility", "SF": "Departed Post Office",
	"NT": "In Transit to Next Facility", "PC": "Sorting/Processing Complete",
	"08": "Missent", "15": "Mis-shipped", "42": "USPS Handoff to Shipping Partner",
	"OF": "Out for Delivery", "59": "Out for Delivery", "DG": "Out for Delivery",
	"01": "Delivered", "17": "Picked Up by Agent", "02": "Notice Left",
	"52": "Notice Left (No Authorized Recipient Available)", "51": "Notice Left (Business Closed)",
	"53": "Notice Left (Receptacle Blocked)", "54": "Notice Left (Receptacle Full/Item Oversized)",
	"55": "Notice Left (No Secure Location Available)", "56": "No Authorized Recipient Available",
	"57": "Delivery Attempted", "H0": "Delivery Attempted", "16": "Available for Pickup",
	"14": "Arrival at Pickup Point", "30": "Held at Post Office, At Customer Request",
	"04": "Refused", "05": "Undeliverable as Addressed", "06": "Forwarded", "09": "Return to Sender",
	"21": "No Such Number", "22": "Insufficient Address", "23": "Moved, Left No Address",
	"24": "Forward Expired", "25": "Addressee Unknown", "26": "Vacant", "27": "Unclaimed",
	"28": "Deceased", "29": "Return to Sender (Other)", "31": "Return to Sender Not Picked Up",
	"11": "Dead Letter", "44": "Customer Recall", "PS": "Delayed in Transit",
}

func TestPublishedCodesAreMapped(t *testing.T) {
	for code, meaning := range publishedCodes {
		if m := mapEvent(code, meaning); m.Status == schemas.StatusUnknown {
			t.Errorf("published code %s (%s) maps to unknown", code, meaning)
		}
		// The code decides, whatever the words.
		if m, want := mapEvent(code, "Status update"), eventCodes.Lookup(code); m.Status != want.Status {
			t.Errorf("code %s without its words maps to %s, want %s", code, m.Status, want.Status)
		}
	}
}

func TestEventMappings(t *testing.T) {
	tests := []struct {
		code, text string
		status     schemas.Status
		detail     string
	}{
		{"T1", "Departed USPS Regional Facility", schemas.StatusDepartedFacility, ""},
		{"PC", "Sorting Complete", schemas.StatusArrivedAtFacility, ""},
		{"89", "Merchant Order Receipt Notification, USPS Awaiting Item", schemas.StatusInfoReceived, ""},
		{"83", "Tendered to Postal Service", schemas.StatusInTransit, ""},
		{"54", "Notice Left (Receptacle Full/Item Oversized)", schemas.StatusDeliveryAttempted, "receptacle_full"},
		{"01", "Delivered To Sender", schemas.StatusReturnedToSender, ""},
		// A code USPS does not publish is read from its words, else unknown.
		{"X9", "Arrived at USPS Facility", schemas.StatusArrivedAtFacility, ""},
		{"X9", "Status update", schemas.StatusUnknown, ""},
	}
	for _, tc := range tests {
		m := mapEvent(tc.code, tc.text)
		if m.Status != tc.status || m.Detail != tc.detail {
			t.Errorf("%s %q: got %s/%s, want %s/%s", tc.code, tc.text, m.Status, m.Detail, tc.status, tc.detail)
		}
	}
}
