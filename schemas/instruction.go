package schemas

import "time"

// InstructionType is what a customer asks the carrier to do with a parcel
// in flight.
type InstructionType string

// The delivery instructions, shaped like the carriers' own intercept
// services.
const (
	InstructionHoldAtLocation InstructionType = "hold_at_location"
	InstructionReschedule     InstructionType = "reschedule"
	InstructionRedirect       InstructionType = "redirect"
	InstructionReturnToSender InstructionType = "return_to_sender"
)

// InstructionTypes are every instruction type, in the order the options
// list them.
var InstructionTypes = []InstructionType{InstructionHoldAtLocation, InstructionReschedule, InstructionRedirect, InstructionReturnToSender}

// Valid reports whether t is one of the instruction types.
func (t InstructionType) Valid() bool {
	for _, x := range InstructionTypes {
		if t == x {
			return true
		}
	}
	return false
}

// InstructionState is where an instruction stands: pending until the
// carrier acts on it or it is cancelled.
type InstructionState string

// The instruction states as stored and published. That the carrier acted
// on one is read from the scans after it, not stored.
const (
	InstructionPending   InstructionState = "pending"
	InstructionCancelled InstructionState = "cancelled"
)

// Address is a postal address as a customer gives it.
type Address struct {
	Name       string `json:"name,omitempty"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"` // ISO 3166-2 subdivision code without the country ("CA", "ON")
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
}

// Location is the address as a scan's place, for the model's areas.
func (a Address) Location() Location {
	return Location{City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

// PickupPoint is a carrier's access point or staffed location a parcel
// can be held at.
type PickupPoint struct {
	ID      string  `json:"id"`
	Name    string  `json:"name,omitempty"`
	Address Address `json:"address"`
}

// Instruction is one delivery instruction of one shipment, as stored and
// published on InstructionsTopic (key: the tracking number) for the
// carrier integration; it is published again when cancelled. ID is
// deterministic (the shipment and the idempotency key), so a retried
// request names the same instruction.
type Instruction struct {
	ID             string           `json:"id"`
	Type           InstructionType  `json:"type"`
	State          InstructionState `json:"state"`
	TrackingNumber string           `json:"tracking_number"`
	Carrier        string           `json:"carrier"`
	ShipmentKey    string           `json:"shipment_key,omitempty"`
	// ShipmentStart is the first scan of the shipment (a reused number
	// has several shipments).
	ShipmentStart time.Time `json:"shipment_start"`
	// PickupPoint is the hold's point, Date the reschedule's local day
	// (YYYY-MM-DD), Address the redirect's new destination.
	PickupPoint *PickupPoint `json:"pickup_point,omitempty"`
	Date        string       `json:"date,omitempty"`
	Address     *Address     `json:"address,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	CancelledAt *time.Time   `json:"cancelled_at,omitempty"`
	// IdempotencyKey is the request's Idempotency-Key; RequestHash, the
	// digest of what it asked, is kept with it (not published) so that a
	// retry with another body is told apart.
	IdempotencyKey string `json:"idempotency_key"`
	RequestHash    string `json:"-"`
}

// Destination is where the instruction sends the parcel, and whether it
// changes the destination at all: the new address of a redirect, the
// point of a hold, the origin for a return (given as origin).
func (in *Instruction) Destination(origin Location) (Location, bool) {
	switch {
	case in.Type == InstructionRedirect && in.Address != nil:
		return in.Address.Location(), true
	case in.Type == InstructionHoldAtLocation && in.PickupPoint != nil:
		return in.PickupPoint.Address.Location(), true
	case in.Type == InstructionReturnToSender:
		return origin, true
	}
	return Location{}, false
}
