package predict

import (
	"slices"

	"github.com/parcelcast/parcelcast/schemas"
)

// The rules of which delivery instructions a carrier takes in which
// status, in one place. A status not listed takes none.
var (
	// offeredByStatus are the instructions any carrier takes in a status.
	offeredByStatus = map[schemas.Status][]schemas.InstructionType{
		schemas.StatusPickedUp:           schemas.InstructionTypes,
		schemas.StatusInTransit:          schemas.InstructionTypes,
		schemas.StatusArrivedAtFacility:  schemas.InstructionTypes,
		schemas.StatusDepartedFacility:   schemas.InstructionTypes,
		schemas.StatusDeliveryAttempted:  schemas.InstructionTypes,
		schemas.StatusException:          schemas.InstructionTypes,
		schemas.StatusUnknown:            schemas.InstructionTypes,
		schemas.StatusOutForDelivery:     {schemas.InstructionHoldAtLocation, schemas.InstructionReschedule, schemas.InstructionReturnToSender},
		schemas.StatusAvailableForPickup: {schemas.InstructionReschedule, schemas.InstructionReturnToSender},
	}
	// offeredByCarrier overrides offeredByStatus for a carrier: UPS still
	// redirects a parcel out for delivery; USPS only holds it then.
	offeredByCarrier = map[string]map[schemas.Status][]schemas.InstructionType{
		"ups":  {schemas.StatusOutForDelivery: schemas.InstructionTypes},
		"usps": {schemas.StatusOutForDelivery: {schemas.InstructionHoldAtLocation}},
	}
	// notOfferedReason says in plain words why a status takes no
	// instruction of a kind; closedStatus are the statuses after which
	// none can be given (409 on a POST).
	notOfferedReason = map[schemas.Status]string{
		schemas.StatusInfoReceived:       "the carrier does not have the parcel yet",
		schemas.StatusOutForDelivery:     "the parcel is out for delivery",
		schemas.StatusAvailableForPickup: "the parcel is waiting at a pickup point",
		schemas.StatusDelivered:          "the parcel was delivered",
		schemas.StatusReturnedToSender:   "the parcel was returned to the sender",
		schemas.StatusCancelled:          "the shipment was cancelled",
	}
	// requiredFields are what each instruction needs in its body.
	requiredFields = map[schemas.InstructionType][]string{
		schemas.InstructionHoldAtLocation: {"pickup_point.id", "pickup_point.address"},
		schemas.InstructionReschedule:     {"date"},
		schemas.InstructionRedirect:       {"address"},
		schemas.InstructionReturnToSender: {},
	}
	// actedOnBy are the statuses of a later scan that show the carrier
	// acted on an instruction (besides the end of the journey).
	actedOnBy = map[schemas.InstructionType][]schemas.Status{
		schemas.InstructionHoldAtLocation: {schemas.StatusAvailableForPickup},
		schemas.InstructionReschedule:     {schemas.StatusOutForDelivery, schemas.StatusDeliveryAttempted},
		schemas.InstructionRedirect:       {schemas.StatusOutForDelivery, schemas.StatusAvailableForPickup},
		schemas.InstructionReturnToSender: {},
	}
)

// closedStatus reports whether a shipment's journey has ended (delivered,
// returned, cancelled): no instruction can be given or cancelled.
func closedStatus(st schemas.Status) bool { return st.Terminal() }

// offered reports whether a carrier takes an instruction of type t in
// status st, and why not when it does not.
func offered(carrier string, st schemas.Status, t schemas.InstructionType) (bool, string) {
	list, ok := offeredByCarrier[carrier][st]
	if !ok {
		list = offeredByStatus[st]
	}
	if slices.Contains(list, t) {
		return true, ""
	}
	if r, ok := notOfferedReason[st]; ok {
		return false, r
	}
	return false, "not offered in status " + string(st)
}
