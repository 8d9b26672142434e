package schemas

// StatusCount is the number of canonical statuses, len(Statuses), as a
// constant so arrays can be indexed by Ordinal.
const StatusCount = 13

// Ordinal is the position of s in Statuses, or -1 when s is not a
// canonical status. It is a switch rather than a search or a map lookup:
// the model calls it for every snapshot it encodes.
func (s Status) Ordinal() int {
	switch s {
	case StatusInfoReceived:
		return 0
	case StatusPickedUp:
		return 1
	case StatusInTransit:
		return 2
	case StatusArrivedAtFacility:
		return 3
	case StatusDepartedFacility:
		return 4
	case StatusOutForDelivery:
		return 5
	case StatusDeliveryAttempted:
		return 6
	case StatusAvailableForPickup:
		return 7
	case StatusDelivered:
		return 8
	case StatusException:
		return 9
	case StatusReturnedToSender:
		return 10
	case StatusCancelled:
		return 11
	case StatusUnknown:
		return 12
	}
	return -1
}
