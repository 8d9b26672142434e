package ups

import (
	"strings"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// mapStatus reads the canonical status from the activity status type and,
// within a type, from the activity description, which UPS words
// consistently in en_US. NA (not available) is UPS saying it has no
// status: it is read from the description alone and stays unknown when
// the description says nothing either.
func mapStatus(st Status) carrier.Mapping {
	d := strings.ToLower(st.Description)
	has := func(phrases ...string) bool { return hasAny(d, phrases...) }
	switch {
	case has("returned to the sender", "returned to sender", "returning to sender", "return to sender", "returned to shipper", "returning to shipper"):
		return carrier.Mapping{Status: schemas.StatusReturnedToSender, Detail: carrier.DetailFromText(st.Description)}
	case has("access point", "ready for pickup", "awaiting customer pickup", "available for pickup", "will be held for pickup"):
		return carrier.Mapping{Status: schemas.StatusAvailableForPickup, Detail: "held"}
	}
	switch strings.ToUpper(strings.TrimSpace(st.Type)) {
	case "M":
		if has("void", "cancel") {
			return carrier.Mapping{Status: schemas.StatusCancelled}
		}
		return carrier.Mapping{Status: schemas.StatusInfoReceived}
	case "MV":
		return carrier.Mapping{Status: schemas.StatusCancelled}
	case "P":
		return carrier.Mapping{Status: schemas.StatusPickedUp}
	case "I":
		if m, ok := movement(d); ok {
			return m
		}
		return carrier.Mapping{Status: schemas.StatusInTransit, Detail: carrier.DetailFromText(st.Description)}
	case "O":
		return carrier.Mapping{Status: schemas.StatusOutForDelivery}
	case "DO", "DD":
		// Freight delivered to a container freight station, origin or
		// destination: the carrier's facility, not the consignee.
		return carrier.Mapping{Status: schemas.StatusArrivedAtFacility}
	case "W":
		return carrier.Mapping{Status: schemas.StatusInTransit, Detail: carrier.DetailFromText(st.Description)}
	case "X":
		detail := carrier.DetailFromText(st.Description)
		if has("attempt", "no one was available", "not available for delivery") {
			if detail == "" || detail == "held" {
				detail = "recipient_unavailable"
			}
			return carrier.Mapping{Status: schemas.StatusDeliveryAttempted, Detail: detail}
		}
		return carrier.Mapping{Status: schemas.StatusException, Detail: detail}
	case "D":
		return carrier.Mapping{Status: schemas.StatusDelivered}
	case "RS":
		return carrier.Mapping{Status: schemas.StatusReturnedToSender, Detail: carrier.DetailFromText(st.Description)}
	case "NA":
		if m, ok := movement(d); ok {
			return m
		}
	}
	return carrier.Mapping{Status: schemas.StatusUnknown, Detail: carrier.DetailFromText(st.Description)}
}

// movement reads a scan of the parcel moving through the network from the
// words of its lower-cased description d.
func movement(d string) (carrier.Mapping, bool) {
	has := func(phrases ...string) bool { return hasAny(d, phrases...) }
	switch {
	case has("out for delivery"):
		return carrier.Mapping{Status: schemas.StatusOutForDelivery}, true
	case has("arrived at facility", "arrival scan", "origin scan", "destination scan", "import scan"):
		return carrier.Mapping{Status: schemas.StatusArrivedAtFacility}, true
	case has("departed from facility", "departure scan", "export scan"):
		return carrier.Mapping{Status: schemas.StatusDepartedFacility}, true
	case has("picked up", "pickup scan", "drop-off", "dropped off"):
		return carrier.Mapping{Status: schemas.StatusPickedUp}, true
	}
	return carrier.Mapping{}, false
}

func hasAny(d string, phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(d, p) {
			return true
		}
	}
	return false
}
