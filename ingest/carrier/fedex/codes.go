package fedex

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventTypes maps FedEx scan event types: the Track API's eventType and
// derivedStatusCode, which share the tracking status codes FedEx publishes
// (docs/carriers.md names the list), and IN, the derived code of a label
// FedEx has data for but no scan yet.
var eventTypes = carrier.Codes{
	"OC": {Status: schemas.StatusInfoReceived},                       // order created, shipment information sent to FedEx
	"IN": {Status: schemas.StatusInfoReceived},                       // initiated (derived code)
	"SH": {Status: schemas.StatusInfoReceived},                       // shipper
	"DS": {Status: schemas.StatusInfoReceived},                       // vehicle dispatched (to the pickup)
	"EP": {Status: schemas.StatusInfoReceived},                       // enroute to pickup
	"DR": {Status: schemas.StatusInfoReceived},                       // vehicle furnished but not used
	"RP": {Status: schemas.StatusInfoReceived},                       // return label link emailed to return sender
	"RG": {Status: schemas.StatusInfoReceived},                       // return label link expiring soon
	"PU": {Status: schemas.StatusPickedUp},                           // picked up
	"PX": {Status: schemas.StatusPickedUp},                           // picked up, see details
	"AP": {Status: schemas.StatusPickedUp},                           // at pickup
	"AR": {Status: schemas.StatusArrivedAtFacility},                  // arrived at FedEx location
	"AF": {Status: schemas.StatusArrivedAtFacility},                  // at local FedEx facility
	"OF": {Status: schemas.StatusArrivedAtFacility},                  // at FedEx origin facility
	"FD": {Status: schemas.StatusArrivedAtFacility},                  // at FedEx destination facility
	"SF": {Status: schemas.StatusArrivedAtFacility},                  // at sort facility
	"AA": {Status: schemas.StatusArrivedAtFacility},                  // at airport
	"AC": {Status: schemas.StatusArrivedAtFacility},                  // at Canada Post facility
	"AX": {Status: schemas.StatusArrivedAtFacility},                  // at USPS facility
	"DP": {Status: schemas.StatusDepartedFacility},                   // departed FedEx location
	"LO": {Status: schemas.StatusDepartedFacility},                   // left origin
	"IT": {Status: schemas.StatusInTransit},                          // in transit
	"IP": {Status: schemas.StatusInTransit},                          // in transit
	"IX": {Status: schemas.StatusInTransit},                          // in transit, see details
	"PF": {Status: schemas.StatusInTransit},                          // plane in flight
	"PL": {Status: schemas.StatusInTransit},                          // plane landed
	"EA": {Status: schemas.StatusInTransit},                          // enroute to airport
	"EO": {Status: schemas.StatusInTransit},                          // enroute to origin airport
	"TR": {Status: schemas.StatusInTransit},                          // transfer
	"SP": {Status: schemas.StatusInTransit},                          // split status: the pieces of a shipment move apart
	"CC": {Status: schemas.StatusInTransit, Detail: "customs"},       // cleared customs, international shipment release
	"CP": {Status: schemas.StatusInTransit, Detail: "customs"},       // clearance in progress
	"CU": {Status: schemas.StatusInTransit, Detail: "customs"},       // customs
	"BR": {Status: schemas.StatusInTransit, Detail: "customs"},       // broker
	"OX": {Status: schemas.StatusInTransit},                          // shipment information sent to USPS
	"AO": {Status: schemas.StatusInTransit},                          // shipment arriving on time
	"AE": {Status: schemas.StatusInTransit, Detail: "early"},         // shipment arriving early
	"AS": {Status: schemas.StatusInTransit, Detail: "address_issue"}, // address corrected
	"CH": {Status: schemas.StatusInTransit, Detail: "address_issue"}, // location changed
	"HA": {Status: schemas.StatusInTransit, Detail: "held"},          // hold at location request accepted
	"RR": {Status: schemas.StatusInTransit},                          // custom delivery option requested
	"RM": {Status: schemas.StatusInTransit},                          // custom delivery option modified
	"RC": {Status: schemas.StatusInTransit},                          // custom delivery option cancelled
	"PM": {Status: schemas.StatusInTransit},                          // in progress
	"OD": {Status: schemas.StatusOutForDelivery},                     // on FedEx vehicle for delivery
	"ED": {Status: schemas.StatusOutForDelivery},                     // enroute to delivery
	"AD": {Status: schemas.StatusOutForDelivery},                     // at delivery
	"DL": {Status: schemas.StatusDelivered},                          // delivered
	"DO": {Status: schemas.StatusDelivered},                          // delivered (at original destination)
	"DE": {Status: schemas.StatusDeliveryAttempted},                  // delivery exception
	"HL": {Status: schemas.StatusAvailableForPickup, Detail: "held"}, // hold at location
	"HP": {Status: schemas.StatusAvailableForPickup, Detail: "held"}, // ready for recipient pickup
	"RS": {Status: schemas.StatusReturnedToSender},                   // return to shipper
	"CA": {Status: schemas.StatusCancelled},                          // shipment cancelled
	"LP": {Status: schemas.StatusCancelled},                          // return label link cancelled by shipment originator
	"RD": {Status: schemas.StatusCancelled},                          // return label link expired
	"SE": {Status: schemas.StatusException},                          // shipment exception
	"CD": {Status: schemas.StatusException, Detail: "customs"},       // clearance delay
	"DY": {Status: schemas.StatusException, Detail: "delay"},         // delay
	"DD": {Status: schemas.StatusException, Detail: "delay"},         // delivery delay
	"PD": {Status: schemas.StatusException, Detail: "delay"},         // pickup delay
}

// delayTypes maps delayDetail.type to a status_detail.
var delayTypes = map[string]string{
	"WEATHER": "weather", "OPERATIONAL": "delay", "LOCAL": "delay", "GENERAL": "delay",
	"CLEARANCE": "customs", "LOCAL_DELIVERY_RESTRICTION": "held",
}

func mapEvent(s *ScanEvent) carrier.Mapping {
	// An event type missing from the table still has its derived code,
	// which FedEx draws from the same list.
	m := eventTypes.Lookup(s.EventType)
	if m.Status == schemas.StatusUnknown && s.DerivedStatusCode != "" {
		m = eventTypes.Lookup(s.DerivedStatusCode)
	}
	if d, ok := delayTypes[strings.ToUpper(s.DelayDetail.typ())]; ok {
		m.Detail = d
	}
	switch m.Status {
	case schemas.StatusException, schemas.StatusDeliveryAttempted, schemas.StatusReturnedToSender, schemas.StatusUnknown:
		if m.Detail == "" || m.Detail == "delay" {
			if d := carrier.DetailFromText(s.ExceptionDescription + " " + s.EventDescription); d != "" {
				m.Detail = d
			}
		}
	}
	if m.Status == schemas.StatusDeliveryAttempted && m.Detail == "" {
		m.Detail = "recipient_unavailable"
	}
	return m
}

func (d *DelayDetail) typ() string {
	if d == nil {
		return ""
	}
	return d.Type
}
