package edi214

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

type code struct {
	text    string
	mapping carrier.Mapping
}

// statuses are the X12 shipment status codes (element 1650) and
// appointment status codes (element 1651's sibling, AT7-03) a 214 carries.
var statuses = map[string]code{
	"XB": {"Shipment Acknowledged", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"OO": {"Paperwork Received - Did not Receive Shipment or Equipment", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"AA": {"Pick-up Appointment Date and/or Time", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"X3": {"Arrived at Pick-up Location", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"CP": {"Completed Loading at Pick-up Location", carrier.Mapping{Status: schemas.StatusPickedUp}},
	"AF": {"Carrier Departed Pick-up Location with Shipment", carrier.Mapping{Status: schemas.StatusPickedUp}},
	"X4": {"Arrived at Terminal Location", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"I1": {"In-Gate", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"AR": {"Rail Arrival at Destination Intermodal Ramp", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"P1": {"Departed Terminal Location", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"OA": {"Out-Gate", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"AM": {"Loaded on Truck", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"X2": {"Estimated Date and/or Time of Arrival at Consignee's Location", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AG": {"Estimated Delivery", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AB": {"Delivery Appointment Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"B6": {"Estimated to Arrive at Carrier Terminal", carrier.Mapping{Status: schemas.StatusInTransit}},
	"J1": {"Delivered to Connecting Line", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AN": {"Diverted to Air Carrier", carrier.Mapping{Status: schemas.StatusInTransit}},
	"K1": {"Arrived at Customs", carrier.Mapping{Status: schemas.StatusInTransit, Detail: "customs"}},
	"AV": {"Available for Delivery", carrier.Mapping{Status: schemas.StatusInTransit}},
	"X6": {"En Route to Delivery Location", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"AJ": {"Tendered for Delivery", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"X1": {"Arrived at Delivery Location", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"S1": {"Trailer Spotted at Consignee's Location", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"D1": {"Completed Unloading at Delivery Location", carrier.Mapping{Status: schemas.StatusDelivered}},
	"CD": {"Carrier Departed Delivery Location", carrier.Mapping{Status: schemas.StatusDelivered}},
	"AP": {"Delivery Not Completed", carrier.Mapping{Status: schemas.StatusDeliveryAttempted}},
	"AH": {"Attempted Delivery", carrier.Mapping{Status: schemas.StatusDeliveryAttempted}},
	"A7": {"Refused by Consignee", carrier.Mapping{Status: schemas.StatusException, Detail: "refused"}},
	"A3": {"Shipment Returned to Shipper", carrier.Mapping{Status: schemas.StatusReturnedToSender}},
	"A9": {"Shipment Damaged", carrier.Mapping{Status: schemas.StatusException, Detail: "damaged"}},
	"A5": {"Unable to Locate", carrier.Mapping{Status: schemas.StatusException, Detail: "lost"}},
	"AI": {"Shipment has been Reconsigned", carrier.Mapping{Status: schemas.StatusException, Detail: "address_issue"}},
	"SD": {"Shipment Delayed", carrier.Mapping{Status: schemas.StatusException, Detail: "delay"}},
	"CA": {"Shipment Cancelled", carrier.Mapping{Status: schemas.StatusCancelled}},
}

// reasons are the X12 status reason codes (element 1651): why a status
// happened, mapped to status_detail where they say something.
var reasons = map[string]struct{ text, detail string }{
	"NS": {"Normal Status", ""},
	"A1": {"Missed Delivery", "missed_connection"},
	"A2": {"Incorrect Address", "address_issue"},
	"A3": {"Indecipherable Address", "address_issue"},
	"AD": {"Customer Requested Future Delivery", "held"},
	"AG": {"Consignee Related", "recipient_unavailable"},
	"AH": {"Driver Related", "delay"},
	"AI": {"Mechanical Breakdown", "mechanical"},
	"AJ": {"Other Carrier Related", "delay"},
	"AK": {"Damaged, Rewrapped in Hub", "damaged"},
	"AM": {"Shipper Related", "delay"},
	"AN": {"Holiday - Closed", "business_closed"},
	"AO": {"Weather or Natural Disaster Related", "weather"},
	"AQ": {"Recipient Unavailable - Delivery Delayed", "recipient_unavailable"},
	"AR": {"Improper International Paperwork", "customs"},
	"AS": {"Hold Due to Customs Documentation Problems", "customs"},
	"AW": {"Past Cut-off Time", "missed_connection"},
	"AY": {"Missed Pick-up", "delay"},
	"B1": {"Consignee Closed", "business_closed"},
	"B2": {"Trap for Customer", "held"},
	"B4": {"Held for Payment", "held"},
	"B5": {"Held for Consignee", "held"},
	"BB": {"Held per Shipper", "held"},
	"BD": {"Border Clearance", "customs"},
	"BE": {"Road Conditions", "weather"},
	"BS": {"Refused by Customer", "refused"},
	"BT": {"Returned to Shipper", ""},
	"C1": {"Waiting for Customer Pick-up", "held"},
	"C4": {"Customer Vacation", "recipient_unavailable"},
}

// mapStatus maps an AT7 status (or appointment status) and its reason.
func mapStatus(status, reason, appt, apptReason string) carrier.Mapping {
	code := status
	if code == "" {
		code, reason = appt, apptReason
	}
	m := carrier.Mapping{Status: schemas.StatusUnknown}
	if s, ok := statuses[strings.ToUpper(code)]; ok {
		m = s.mapping
	}
	reason = strings.ToUpper(reason)
	if d := reasons[reason].detail; d != "" && (m.Detail == "" || m.Status == schemas.StatusException || m.Status == schemas.StatusDeliveryAttempted) {
		m.Detail = d
	}
	// Held at the terminal for the consignee to collect.
	if (reason == "C1" || reason == "B2") && !m.Status.Terminal() {
		m = carrier.Mapping{Status: schemas.StatusAvailableForPickup, Detail: "held"}
	}
	return m
}
