package dhl

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// phrases refine the coarse statusCode from the event's words, in order.
var phrases = []struct {
	phrase string
	status schemas.Status
}{
	{"returned to shipper", schemas.StatusReturnedToSender},
	{"returned to sender", schemas.StatusReturnedToSender},
	{"return to sender", schemas.StatusReturnedToSender},
	{"being returned", schemas.StatusReturnedToSender},
	{"with delivery courier", schemas.StatusOutForDelivery},
	{"out with courier", schemas.StatusOutForDelivery},
	{"out for delivery", schemas.StatusOutForDelivery},
	{"loaded onto the delivery vehicle", schemas.StatusOutForDelivery},
	{"ready for pickup", schemas.StatusAvailableForPickup},
	{"available for pickup", schemas.StatusAvailableForPickup},
	{"ready for collection", schemas.StatusAvailableForPickup},
	{"parcelshop", schemas.StatusAvailableForPickup},
	{"packstation", schemas.StatusAvailableForPickup},
	{"service point", schemas.StatusAvailableForPickup},
	{"delivery attempt", schemas.StatusDeliveryAttempted},
	{"could not be delivered", schemas.StatusDeliveryAttempted},
	{"not at home", schemas.StatusDeliveryAttempted},
	{"picked up", schemas.StatusPickedUp},
	{"label created", schemas.StatusInfoReceived},
	{"shipment information received", schemas.StatusInfoReceived},
	{"arrived at", schemas.StatusArrivedAtFacility},
	{"processed at", schemas.StatusArrivedAtFacility},
	{"processed in", schemas.StatusArrivedAtFacility},
	{"departed", schemas.StatusDepartedFacility},
	{"left the", schemas.StatusDepartedFacility},
	{"received at", schemas.StatusArrivedAtFacility},
	{"scanned into", schemas.StatusInTransit},
	{"close bag", schemas.StatusInTransit},
}

func mapEvent(ev *Event) carrier.Mapping {
	text := strings.ToLower(ev.Status + " " + ev.Description + " " + ev.Remark)
	var refined schemas.Status
	for _, p := range phrases {
		if strings.Contains(text, p.phrase) {
			refined = p.status
			break
		}
	}
	detail := ""
	var st schemas.Status
	switch strings.ToLower(strings.TrimSpace(ev.StatusCode)) {
	case "pre-transit":
		st = schemas.StatusInfoReceived
		if refined == schemas.StatusPickedUp {
			st = refined
		}
	case "transit":
		st = schemas.StatusInTransit
		if refined != "" {
			st = refined
		}
	case "delivered":
		st = schemas.StatusDelivered
		if refined == schemas.StatusReturnedToSender {
			st = refined
		}
	case "failure":
		st = schemas.StatusException
		switch refined {
		case schemas.StatusDeliveryAttempted, schemas.StatusReturnedToSender, schemas.StatusAvailableForPickup:
			st = refined
		}
	case "", "unknown":
		// No class, or DHL's own for events it does not classify ("LABEL
		// CREATED", "CLOSE BAG"): the words decide, else it stays unknown.
		st = schemas.StatusUnknown
		switch {
		case refined != "":
			st = refined
		case strings.HasPrefix(strings.TrimSpace(text), "delivered"):
			st = schemas.StatusDelivered
		}
	default:
		st = schemas.StatusUnknown
	}
	switch st {
	case schemas.StatusInTransit, schemas.StatusException, schemas.StatusDeliveryAttempted, schemas.StatusReturnedToSender, schemas.StatusUnknown:
		detail = carrier.DetailFromText(text)
	case schemas.StatusAvailableForPickup:
		detail = "held"
	}
	if st == schemas.StatusDeliveryAttempted && detail == "" {
		detail = "recipient_unavailable"
	}
	return carrier.Mapping{Status: st, Detail: detail}
}
