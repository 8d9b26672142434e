package edi214

import (
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// published1650 and published1652 are the X12 shipment status codes
// (element 1650, AT7-01) and shipment appointment status codes (element
// 1652, AT7-03) of the code lists docs/carriers.md names.
var (
	published1650 = []string{
		"A3", "A7", "A9", "AF", "AG", "AH", "AI", "AJ", "AM", "AN", "AP", "AR", "AV", "B6",
		"BA", "BC", "C1", "CA", "CD", "CL", "CP", "D1", "I1", "J1", "K1", "L1", "OA", "OO",
		"P1", "PR", "R1", "RL", "S1", "SD", "X1", "X2", "X3", "X4", "X5", "X6", "X8", "XB",
	}
	published1652 = []string{"AA", "AB", "AC", "ED", "EP", "LD", "LP", "X9", "XA"}
)

// published1651 are the shipment status or appointment reason codes
// (element 1651) of the same lists.
var published1651 = []string{
	"A1", "A2", "A3", "A5", "A6", "AA", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "AK", "AL",
	"AM", "AN", "AO", "AP", "AQ", "AR", "AS", "AT", "AU", "AV", "AW", "AX", "AY", "AZ", "B1",
	"B2", "B4", "B5", "B8", "B9", "BB", "BC", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BK",
	"BL", "BM", "BN", "BO", "BP", "BQ", "BR", "BS", "BT", "C1", "C2", "C3", "C4", "C5", "C6",
	"C7", "C8", "C9", "CA", "CB", "CC", "NS",
}

func TestPublishedCodesAreMapped(t *testing.T) {
	for _, c := range published1650 {
		if m := mapStatus(c, "NS", "", ""); m.Status == schemas.StatusUnknown {
			t.Errorf("shipment status %s maps to unknown", c)
		}
	}
	for _, c := range published1652 {
		if m := mapStatus("", "", c, "NS"); m.Status == schemas.StatusUnknown {
			t.Errorf("appointment status %s maps to unknown", c)
		}
	}
	for _, r := range published1651 {
		if _, ok := reasons[r]; !ok {
			t.Errorf("reason %s is not in the table", r)
		}
		// A reason never unmaps a known status.
		if m := mapStatus("X4", r, "", ""); m.Status == schemas.StatusUnknown {
			t.Errorf("X4 with reason %s maps to unknown", r)
		}
	}
}

func TestStatusMappings(t *testing.T) {
	tests := []struct {
		status, reason, appt, apptReason string
		want                             schemas.Status
		detail                           string
	}{
		{"X5", "NS", "", "", schemas.StatusOutForDelivery, ""},
		{"R1", "NS", "", "", schemas.StatusArrivedAtFacility, ""},
		{"RL", "NS", "", "", schemas.StatusDepartedFacility, ""},
		{"PR", "CA", "", "", schemas.StatusException, "customs"},
		{"SD", "AF", "", "", schemas.StatusException, "delay"},
		{"AP", "A6", "", "", schemas.StatusDeliveryAttempted, "address_issue"},
		{"SD", "AA", "", "", schemas.StatusException, "missent"},
		// A3 as a reason is an indirect delivery, not an address problem.
		{"D1", "A3", "", "", schemas.StatusDelivered, ""},
		{"", "", "XA", "NS", schemas.StatusInfoReceived, ""},
		{"", "", "X9", "BK", schemas.StatusInTransit, ""},
		{"X4", "C1", "", "", schemas.StatusAvailableForPickup, "held"},
		// A code X12 does not publish stays unknown, to be counted.
		{"ZZ", "NS", "", "", schemas.StatusUnknown, ""},
	}
	for _, tc := range tests {
		m := mapStatus(tc.status, tc.reason, tc.appt, tc.apptReason)
		if m.Status != tc.want || m.Detail != tc.detail {
			t.Errorf("AT7 %s/%s %s/%s: got %s/%s, want %s/%s", tc.status, tc.reason, tc.appt, tc.apptReason, m.Status, m.Detail, tc.want, tc.detail)
		}
	}
}
