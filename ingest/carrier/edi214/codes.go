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

// statuses are the X12 shipment status codes (element 1650, AT7-01) and
// shipment appointment status codes (element 1652, AT7-03) a 214 carries.
var statuses = map[string]code{
	"XB": {"Shipment Acknowledged", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"OO": {"Paperwork Received - Did not Receive Shipment or Equipment", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"AA": {"Pick-up Appointment Date and/or Time", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"X3": {"Arrived at Pick-up Location", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"X8": {"Arrived at Pick-up Location Loading Dock", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"EP": {"Pick-up No Earlier Than Date and/or Time", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"LP": {"Pick-up No Later Than Date and/or Time", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"XA": {"Pick-up Appointment Secured on This Date and/or Time", carrier.Mapping{Status: schemas.StatusInfoReceived}},
	"CP": {"Completed Loading at Pick-up Location", carrier.Mapping{Status: schemas.StatusPickedUp}},
	"AF": {"Carrier Departed Pick-up Location with Shipment", carrier.Mapping{Status: schemas.StatusPickedUp}},
	"BA": {"Connecting Line or Cartage Pick-up", carrier.Mapping{Status: schemas.StatusPickedUp}},
	"X4": {"Arrived at Terminal Location", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"I1": {"In-Gate", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"AR": {"Rail Arrival at Destination Intermodal Ramp", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"R1": {"Received from Prior Carrier", carrier.Mapping{Status: schemas.StatusArrivedAtFacility}},
	"P1": {"Departed Terminal Location", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"OA": {"Out-Gate", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"AM": {"Loaded on Truck", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"RL": {"Rail Departure from Origin Intermodal Ramp", carrier.Mapping{Status: schemas.StatusDepartedFacility}},
	"X2": {"Estimated Date and/or Time of Arrival at Consignee's Location", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AG": {"Estimated Delivery", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AB": {"Delivery Appointment Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AC": {"Estimated Delivery Appointment Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"ED": {"Deliver No Earlier Than Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"LD": {"Deliver No Later Than Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"X9": {"Delivery Appointment Secured on This Date and/or Time", carrier.Mapping{Status: schemas.StatusInTransit}},
	"C1": {"Estimated to Depart Terminal Location", carrier.Mapping{Status: schemas.StatusInTransit}},
	"CL": {"Trailer Closed Out", carrier.Mapping{Status: schemas.StatusInTransit}},
	"L1": {"Loading", carrier.Mapping{Status: schemas.StatusInTransit}},
	"BC": {"Storage in Transit", carrier.Mapping{Status: schemas.StatusInTransit, Detail: "held"}},
	"B6": {"Estimated to Arrive at Carrier Terminal", carrier.Mapping{Status: schemas.StatusInTransit}},
	"J1": {"Delivered to Connecting Line", carrier.Mapping{Status: schemas.StatusInTransit}},
	"AN": {"Diverted to Air Carrier", carrier.Mapping{Status: schemas.StatusInTransit}},
	"K1": {"Arrived at Customs", carrier.Mapping{Status: schemas.StatusInTransit, Detail: "customs"}},
	"PR": {"U.S. Customs Hold at In-Bond Location", carrier.Mapping{Status: schemas.StatusException, Detail: "customs"}},
	"AV": {"Available for Delivery", carrier.Mapping{Status: schemas.StatusInTransit}},
	"X6": {"En Route to Delivery Location", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"AJ": {"Tendered for Delivery", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"X1": {"Arrived at Delivery Location", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
	"X5": {"Arrived at Delivery Location Loading Dock", carrier.Mapping{Status: schemas.StatusOutForDelivery}},
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

// reasons are the X12 shipment status or appointment reason codes
// (element 1651, AT7-02 and AT7-04): why a status happened, mapped to
// status_detail where they say something.
var reasons = map[string]struct{ text, detail string }{
	"NS": {"Normal Status", ""},
	"A1": {"Missed Delivery", "missed_connection"},
	"A2": {"Incorrect Address", "address_issue"},
	"A3": {"Indirect Delivery", ""},
	"A5": {"Unable to Locate", "lost"},
	"A6": {"Address Corrected - Delivery Attempted", "address_issue"},
	"AA": {"Mis-sort", "missent"},
	"AD": {"Customer Requested Future Delivery", "held"},
	"AE": {"Restricted Articles Unacceptable", ""},
	"AF": {"Accident", "delay"},
	"AG": {"Consignee Related", "recipient_unavailable"},
	"AH": {"Driver Related", "delay"},
	"AI": {"Mechanical Breakdown", "mechanical"},
	"AJ": {"Other Carrier Related", "delay"},
	"AK": {"Damaged, Rewrapped in Hub", "damaged"},
	"AL": {"Previous Stop", "delay"},
	"AM": {"Shipper Related", "delay"},
	"AN": {"Holiday - Closed", "business_closed"},
	"AO": {"Weather or Natural Disaster Related", "weather"},
	"AP": {"Awaiting Export", "customs"},
	"AQ": {"Recipient Unavailable - Delivery Delayed", "recipient_unavailable"},
	"AR": {"Improper International Paperwork", "customs"},
	"AS": {"Hold Due to Customs Documentation Problems", "customs"},
	"AT": {"Unable to Contact Recipient for Broker Information", "customs"},
	"AU": {"Civil Event Related Delay", "delay"},
	"AV": {"Exceeds Service Limitations", ""},
	"AW": {"Past Cut-off Time", "missed_connection"},
	"AX": {"Insufficient Pick-up Time", "delay"},
	"AY": {"Missed Pick-up", "delay"},
	"AZ": {"Alternate Carrier Delivered", ""},
	"B1": {"Consignee Closed", "business_closed"},
	"B2": {"Trap for Customer", "held"},
	"B4": {"Held for Payment", "held"},
	"B5": {"Held for Consignee", "held"},
	"B8": {"Improper Unloading Facility or Equipment", "delay"},
	"B9": {"Receiving Time Restricted", "business_closed"},
	"BB": {"Held per Shipper", "held"},
	"BC": {"Missing Documents", "held"},
	"BD": {"Border Clearance", "customs"},
	"BE": {"Road Conditions", "weather"},
	"BF": {"Carrier Keying Error", "delay"},
	"BG": {"Other", ""},
	"BH": {"Insufficient Time to Complete Delivery", "delay"},
	"BI": {"Cartage Agent", ""},
	"BJ": {"Customer Wanted Earlier Delivery", ""},
	"BK": {"Prearranged Appointment", ""},
	"BL": {"Held for Protective Service", "held"},
	"BM": {"Flatcar Shortage", "delay"},
	"BN": {"Failed to Release Billing", "held"},
	"BO": {"Railroad Failed to Meet Schedule", "delay"},
	"BP": {"Load Shifted", "delay"},
	"BQ": {"Shipment Overweight", ""},
	"BR": {"Train Derailment", "delay"},
	"BS": {"Refused by Customer", "refused"},
	"BT": {"Returned to Shipper", ""},
	"C1": {"Waiting for Customer Pick-up", "held"},
	"C2": {"Credit Hold", "held"},
	"C3": {"Suspended at Customer Request", "held"},
	"C4": {"Customer Vacation", "recipient_unavailable"},
	"C5": {"Customer Strike", "business_closed"},
	"C6": {"Waiting Shipping Instructions", "held"},
	"C7": {"Waiting for Customer Specified Carrier", "held"},
	"C8": {"Collect on Delivery Required", "held"},
	"C9": {"Cash Not Available From Consignee", "held"},
	"CA": {"Customs (Import or Export)", "customs"},
	"CB": {"No Requested Arrival Date Provided by Shipper", ""},
	"CC": {"No Requested Arrival Time Provided by Shipper", ""},
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
