package ups

import (
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// statusTypes are the activity status types UPS publishes, with UPS's
// wording (docs/carriers.md names the list).
var statusTypes = map[string]string{
	"M": "Billing Information Received", "MV": "Billing Information Voided",
	"P": "Pickup", "I": "In Transit", "O": "Out for Delivery", "X": "Exception",
	"D": "Delivered", "RS": "Returned to Shipper",
	"DO": "Delivered Origin CFS (Freight Only)", "DD": "Delivered Destination CFS (Freight Only)",
	"W": "Warehousing (Freight Only)", "NA": "Not Available",
}

// Every published type but NA, which says UPS has no status, maps to a
// status of its own, whatever the description.
func TestPublishedCodesAreMapped(t *testing.T) {
	for typ, meaning := range statusTypes {
		m := mapStatus(Status{Type: typ, Description: "Status update"})
		switch {
		case typ == "NA" && m.Status != schemas.StatusUnknown:
			t.Errorf("type NA with no words maps to %s, want unknown", m.Status)
		case typ != "NA" && m.Status == schemas.StatusUnknown:
			t.Errorf("published type %s (%s) maps to unknown", typ, meaning)
		}
	}
}

func TestStatusMappings(t *testing.T) {
	tests := []struct {
		st     Status
		status schemas.Status
		detail string
	}{
		{Status{Type: "O", Description: "Out For Delivery Today"}, schemas.StatusOutForDelivery, ""},
		{Status{Type: "DO", Description: "Delivered Origin CFS"}, schemas.StatusArrivedAtFacility, ""},
		{Status{Type: "DD", Description: "Delivered Destination CFS"}, schemas.StatusArrivedAtFacility, ""},
		{Status{Type: "W", Description: "Warehousing"}, schemas.StatusInTransit, ""},
		{Status{Type: "NA", Description: "Destination Scan"}, schemas.StatusArrivedAtFacility, ""},
		{Status{Type: "NA", Description: "Status Not Available"}, schemas.StatusUnknown, ""},
		{Status{Type: "I", Description: "Out For Delivery Today"}, schemas.StatusOutForDelivery, ""},
		{Status{Type: "I", Description: "Departed from Facility"}, schemas.StatusDepartedFacility, ""},
		{Status{Type: "X", Description: "The receiver was not available for delivery. We'll make a second attempt the next business day."}, schemas.StatusDeliveryAttempted, "recipient_unavailable"},
		{Status{Type: "M", Description: "Shipper created a label, UPS has not received the package yet."}, schemas.StatusInfoReceived, ""},
		{Status{Type: "MV", Description: "Voided Information Received"}, schemas.StatusCancelled, ""},
		// A type UPS does not publish stays unknown, to be counted.
		{Status{Type: "U", Description: "Status update"}, schemas.StatusUnknown, ""},
	}
	for _, tc := range tests {
		m := mapStatus(tc.st)
		if m.Status != tc.status || m.Detail != tc.detail {
			t.Errorf("%s %q: got %s/%s, want %s/%s", tc.st.Type, tc.st.Description, m.Status, m.Detail, tc.status, tc.detail)
		}
	}
}
