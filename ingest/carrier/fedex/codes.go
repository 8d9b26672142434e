package fedex

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventTypes maps FedEx scan event types (the Track API's eventType and
// derivedStatusCode share these codes).
var eventTypes = carrier.Codes{
	"OC": {Status: schemas.StatusInfoReceived},                       // shipment information sent to FedEx
	"SH": {Status: schemas.StatusInfoReceived},                       // shipper
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
	"IX": {Status: schemas.StatusInTransit},                          // in transit, see details
	"PF": {Status: schemas.StatusInTransit},                          // plane in flight
	"PL": {Status: schemas.StatusInTransit},                          // plane landed
	"EA": {Status: schemas.StatusInTransit},                          // enroute to airport
	"EO": {Status: schemas.StatusInTransit},                          // enroute to origin airport
	"TR": {Status: schemas.StatusInTransit},                          // transfer
	"CC": {Status: schemas.StatusInTransit, Detail: "customs"},       // cleared customs
	"CP": {Status: schemas.StatusInTransit, Detail: "customs"},       // clearance in progress
	"OX": {Status: schemas.StatusInTransit},                          // information sent to USPS
	"AO": {Status: schemas.StatusInTransit},                          // arriving on time
	"OD": {Status: schemas.StatusOutForDelivery},                     // on FedEx vehicle for delivery
	"ED": {Status: schemas.StatusOutForDelivery},                     // enroute to delivery
	"AD": {Status: schemas.StatusOutForDelivery},                     // at delivery
	"DL": {Status: schemas.StatusDelivered},                          // delivered
	"DE": {Status: schemas.StatusDeliveryAttempted},                  // delivery exception
	"HL": {Status: schemas.StatusAvailableForPickup, Detail: "held"}, // hold at location
	"HP": {Status: schemas.StatusAvailableForPickup, Detail: "held"}, // ready for recipient pickup
	"RS": {Status: schemas.StatusReturnedToSender},                   // return to shipper
	"CA": {Status: schemas.StatusCancelled},                          // shipment cancelled
	"SE": {Status: schemas.StatusException},                          // shipment exception
	"CD": {Status: schemas.StatusException, Detail: "customs"},       // clearance delay
	"DY": {Status: schemas.StatusException, Detail: "delay"},         // delay
	"DD": {Status: schemas.StatusException, Detail: "delay"},         // delivery delay
	"PD": {Status: schemas.StatusException, Detail: "delay"},         // pickup delay
	"CH": {Status: schemas.StatusInTransit, Detail: "address_issue"}, // location changed
	"PM": {Status: schemas.StatusInTransit},                          // in progress
}

// delayTypes maps delayDetail.type to a status_detail.
var delayTypes = map[string]string{
	"WEATHER": "weather", "OPERATIONAL": "delay", "LOCAL": "delay", "GENERAL": "delay",
	"CLEARANCE": "customs", "LOCAL_DELIVERY_RESTRICTION": "held",
}

func mapEvent(s *ScanEvent) carrier.Mapping {
	code := s.EventType
	if code == "" {
		code = s.DerivedStatusCode
	}
	m := eventTypes.Lookup(code)
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
