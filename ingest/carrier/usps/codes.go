package usps

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// eventCodes maps USPS tracking event codes (the two-character codes of
// the IMpb tracking events, shared by Tracking 3.0 and Web Tools), from the
// lists docs/carriers.md names.
var eventCodes = carrier.Codes{
	"GX": {Status: schemas.StatusInfoReceived},                                       // shipping label created
	"MA": {Status: schemas.StatusInfoReceived},                                       // pre-shipment info sent to USPS
	"89": {Status: schemas.StatusInfoReceived},                                       // merchant order receipt notification, USPS awaiting item
	"GC": {Status: schemas.StatusInfoReceived},                                       // return receipt associated
	"03": {Status: schemas.StatusPickedUp},                                           // accepted or picked up
	"OA": {Status: schemas.StatusPickedUp},                                           // accepted at origin facility, origin acceptance
	"UA": {Status: schemas.StatusPickedUp},                                           // accepted at USPS facility
	"AD": {Status: schemas.StatusPickedUp},                                           // acceptance at destination
	"TM": {Status: schemas.StatusPickedUp},                                           // shipment received, package acceptance pending
	"43": {Status: schemas.StatusPickedUp},                                           // picked up
	"80": {Status: schemas.StatusPickedUp},                                           // picked up by shipping partner
	"81": {Status: schemas.StatusArrivedAtFacility},                                  // arrived at shipping partner facility
	"82": {Status: schemas.StatusDepartedFacility},                                   // departed shipping partner facility
	"A1": {Status: schemas.StatusArrivedAtFacility},                                  // arrived at USPS regional facility
	"10": {Status: schemas.StatusArrivedAtFacility},                                  // processed through facility
	"07": {Status: schemas.StatusArrivedAtFacility},                                  // arrived at unit (delivery post office)
	"U1": {Status: schemas.StatusArrivedAtFacility},                                  // arrived at USPS facility
	"L1": {Status: schemas.StatusDepartedFacility},                                   // departed USPS regional facility
	"T1": {Status: schemas.StatusDepartedFacility},                                   // departed USPS regional facility
	"SF": {Status: schemas.StatusDepartedFacility},                                   // departed post office
	"NT": {Status: schemas.StatusInTransit},                                          // in transit to next facility
	"PC": {Status: schemas.StatusArrivedAtFacility},                                  // sorting/processing complete
	"08": {Status: schemas.StatusException, Detail: "missent"},                       // missent
	"15": {Status: schemas.StatusException, Detail: "missent"},                       // mis-shipped
	"42": {Status: schemas.StatusInTransit},                                          // handed to a shipping partner
	"83": {Status: schemas.StatusInTransit},                                          // tendered to the Postal Service by a shipping partner
	"OF": {Status: schemas.StatusOutForDelivery},                                     // out for delivery
	"59": {Status: schemas.StatusOutForDelivery},                                     // out for delivery
	"DG": {Status: schemas.StatusOutForDelivery},                                     // out for delivery
	"01": {Status: schemas.StatusDelivered},                                          // delivered
	"17": {Status: schemas.StatusDelivered},                                          // picked up by agent / at post office
	"02": {Status: schemas.StatusDeliveryAttempted, Detail: "recipient_unavailable"}, // notice left
	"52": {Status: schemas.StatusDeliveryAttempted, Detail: "recipient_unavailable"}, // notice left, no authorized recipient
	"51": {Status: schemas.StatusDeliveryAttempted, Detail: "business_closed"},       // business closed
	"53": {Status: schemas.StatusDeliveryAttempted, Detail: "receptacle_blocked"},    // receptacle blocked
	"54": {Status: schemas.StatusDeliveryAttempted, Detail: "receptacle_full"},       // receptacle full
	"55": {Status: schemas.StatusDeliveryAttempted, Detail: "no_secure_location"},    // no access to delivery location
	"56": {Status: schemas.StatusDeliveryAttempted, Detail: "recipient_unavailable"}, // no authorized recipient
	"57": {Status: schemas.StatusDeliveryAttempted},                                  // delivery attempted
	"H0": {Status: schemas.StatusDeliveryAttempted},                                  // delivery attempted
	"16": {Status: schemas.StatusAvailableForPickup, Detail: "held"},                 // available for pickup
	"14": {Status: schemas.StatusAvailableForPickup, Detail: "held"},                 // arrival at pickup point
	"30": {Status: schemas.StatusAvailableForPickup, Detail: "held"},                 // held at post office
	"04": {Status: schemas.StatusReturnedToSender, Detail: "refused"},                // refused
	"05": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // undeliverable as addressed
	"09": {Status: schemas.StatusReturnedToSender},                                   // return to sender
	"21": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // no such number
	"22": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // insufficient address
	"23": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // moved, left no address
	"24": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // forward expired
	"25": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // addressee unknown
	"26": {Status: schemas.StatusReturnedToSender, Detail: "address_issue"},          // vacant
	"27": {Status: schemas.StatusReturnedToSender, Detail: "unclaimed"},              // unclaimed
	"28": {Status: schemas.StatusReturnedToSender, Detail: "deceased"},               // deceased
	"29": {Status: schemas.StatusReturnedToSender},                                   // other
	"31": {Status: schemas.StatusReturnedToSender, Detail: "unclaimed"},              // not picked up
	"11": {Status: schemas.StatusException, Detail: "lost"},                          // dead letter
	"44": {Status: schemas.StatusCancelled},                                          // customer recall
	"06": {Status: schemas.StatusException, Detail: "address_issue"},                 // forwarded
	"PS": {Status: schemas.StatusException, Detail: "delay"},                         // delayed in transit
}

// textRules read a status from the event text for codes missing from the
// table, in order; text that matches none leaves the status unknown.
var textRules = []struct {
	phrase string
	status schemas.Status
}{
	{"alert", schemas.StatusException}, // "Alert: …" events name a problem
	{"out for delivery", schemas.StatusOutForDelivery},
	{"delivered", schemas.StatusDelivered},
	{"available for pickup", schemas.StatusAvailableForPickup},
	{"notice left", schemas.StatusDeliveryAttempted},
	{"delivery attempted", schemas.StatusDeliveryAttempted},
	{"return to sender", schemas.StatusReturnedToSender},
	{"returned to sender", schemas.StatusReturnedToSender},
	{"arrived", schemas.StatusArrivedAtFacility},
	{"departed", schemas.StatusDepartedFacility},
	{"in transit", schemas.StatusInTransit},
	{"accepted", schemas.StatusPickedUp},
	{"picked up", schemas.StatusPickedUp},
	{"customs", schemas.StatusInTransit},
	{"delay", schemas.StatusException},
	{"label created", schemas.StatusInfoReceived},
	{"pre-shipment", schemas.StatusInfoReceived},
}

func mapEvent(code, text string) carrier.Mapping {
	m := eventCodes.Lookup(code)
	if m.Status == schemas.StatusUnknown {
		t := strings.ToLower(text)
		for _, r := range textRules {
			if strings.Contains(t, r.phrase) {
				m.Status = r.status
				break
			}
		}
	}
	// "Delivered To Sender" closes a return under the delivered code.
	if m.Status == schemas.StatusDelivered && strings.Contains(strings.ToLower(text), "to sender") {
		m.Status = schemas.StatusReturnedToSender
	}
	if m.Detail == "" {
		switch m.Status {
		case schemas.StatusException, schemas.StatusDeliveryAttempted, schemas.StatusReturnedToSender, schemas.StatusUnknown, schemas.StatusInTransit:
			m.Detail = carrier.DetailFromText(text)
		}
	}
	return m
}
