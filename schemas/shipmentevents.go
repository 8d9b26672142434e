package schemas

import "time"

// The topics of what the live state finds out about shipments, keyed by
// tracking number.
const (
	MilestonesTopic   = "parcelcast.shipments.milestones"
	ExceptionsTopic   = "parcelcast.shipments.exceptions"
	InstructionsTopic = "parcelcast.shipments.instructions"
)

// MilestoneKind is a step of a shipment a customer is told of.
type MilestoneKind string

// The milestones, each at most once per shipment.
const (
	MilestoneShipped            MilestoneKind = "shipped" // first carrier possession
	MilestoneArrivedAtFacility  MilestoneKind = "arrived_at_destination_facility"
	MilestoneOutForDelivery     MilestoneKind = "out_for_delivery"
	MilestoneDeliveryAttempted  MilestoneKind = "delivery_attempted"
	MilestoneAvailableForPickup MilestoneKind = "available_for_pickup"
	MilestoneDelivered          MilestoneKind = "delivered"
	MilestoneException          MilestoneKind = "exception"
	MilestoneReturnedToSender   MilestoneKind = "returned_to_sender"
)

// Milestone is one milestone of one shipment, as published on
// MilestonesTopic. ID is deterministic (the shipment and the kind), so a
// replay or a restart that finds it again gives the same id.
type Milestone struct {
	ID             string        `json:"id"`
	Kind           MilestoneKind `json:"kind"`
	TrackingNumber string        `json:"tracking_number"`
	Carrier        string        `json:"carrier"`
	ShipmentKey    string        `json:"shipment_key,omitempty"`
	// ShipmentStart is the first scan of the shipment (a reused number
	// has several shipments).
	ShipmentStart time.Time `json:"shipment_start"`
	// At is the instant of the scan that reached the milestone.
	At          time.Time `json:"at"`
	Location    Location  `json:"location"`
	OrderRef    string    `json:"order_ref,omitempty"`
	CustomerRef string    `json:"customer_ref,omitempty"`
	DetectedAt  time.Time `json:"detected_at"`
}

// ExceptionState is whether an exception is open or resolved.
type ExceptionState string

// The exception states.
const (
	ExceptionOpen     ExceptionState = "open"
	ExceptionResolved ExceptionState = "resolved"
)

// Exception is a shipment in trouble, as published on ExceptionsTopic
// when it opens and again when it resolves. ID is deterministic (the
// shipment, the type and when it opened).
type Exception struct {
	ID             string         `json:"id"`
	Type           string         `json:"type"` // stalled, late, delivery_failed, returned, customs_hold, address_issue, carrier_exception, lost
	State          ExceptionState `json:"state"`
	TrackingNumber string         `json:"tracking_number"`
	Carrier        string         `json:"carrier"`
	ShipmentKey    string         `json:"shipment_key,omitempty"`
	ShipmentStart  time.Time      `json:"shipment_start"`
	// Reason is the plain-language reason support reads; Detail the
	// carrier's own words where it gave some.
	Reason      string     `json:"reason"`
	Detail      string     `json:"detail,omitempty"`
	OpenedAt    time.Time  `json:"opened_at"`
	ResolvedAt  *time.Time `json:"resolved_at,omitempty"`
	OrderRef    string     `json:"order_ref,omitempty"`
	CustomerRef string     `json:"customer_ref,omitempty"`
}
