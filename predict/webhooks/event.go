package webhooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/parcelcast/parcelcast/schemas"
)

// ExceptionTypes are the exception types a subscription may name (as
// "exception.<type>"): those the exception scanner opens.
var ExceptionTypes = []string{"stalled", "late", "delivery_failed", "returned", "customs_hold", "address_issue", "carrier_exception", "lost"}

// MilestoneKinds are the milestones a subscription may name (as
// "milestone.<kind>").
var MilestoneKinds = []schemas.MilestoneKind{
	schemas.MilestoneShipped, schemas.MilestoneArrivedAtFacility, schemas.MilestoneOutForDelivery,
	schemas.MilestoneDeliveryAttempted, schemas.MilestoneAvailableForPickup, schemas.MilestoneDelivered,
	schemas.MilestoneException, schemas.MilestoneReturnedToSender,
}

// EventTypes is every event type a subscription may ask for.
func EventTypes() []string {
	out := make([]string, 0, len(MilestoneKinds)+len(ExceptionTypes))
	for _, k := range MilestoneKinds {
		out = append(out, "milestone."+string(k))
	}
	for _, t := range ExceptionTypes {
		out = append(out, "exception."+t)
	}
	return out
}

// KnownEventType says whether t is an event type a subscription may name.
func KnownEventType(t string) bool { return slices.Contains(EventTypes(), t) }

// Event is one event to deliver: what a subscription is matched on and the
// body every delivery of it carries.
type Event struct {
	// ID is deterministic from the record (its id, and for an exception
	// its state), so a replayed record is the same event.
	ID       string
	Type     string
	Carrier  string
	OrderRef string
	// At is when the event happened: the milestone's scan, the exception's
	// opening or resolution; Detected when it was found (latency is
	// measured from it).
	At       time.Time
	Detected time.Time
	Body     []byte
}

// payload is the body of a delivery, in the specification's envelope.
type payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// MilestoneEvent is the event of a milestone record.
func MilestoneEvent(m schemas.Milestone) (Event, error) {
	typ := "milestone." + string(m.Kind)
	body, err := json.Marshal(payload{Type: typ, Timestamp: m.At.UTC(), Data: m})
	if err != nil {
		return Event{}, fmt.Errorf("encode milestone %s: %w", m.ID, err)
	}
	return Event{ID: "milestone:" + m.ID, Type: typ, Carrier: m.Carrier, OrderRef: m.OrderRef,
		At: m.At, Detected: m.DetectedAt, Body: body}, nil
}

// ExceptionEvent is the event of an exception record: its opening and its
// resolution are two events of the same type.
func ExceptionEvent(e schemas.Exception) (Event, error) {
	typ := "exception." + e.Type
	at := e.OpenedAt
	if e.State == schemas.ExceptionResolved && e.ResolvedAt != nil {
		at = *e.ResolvedAt
	}
	body, err := json.Marshal(payload{Type: typ, Timestamp: at.UTC(), Data: e})
	if err != nil {
		return Event{}, fmt.Errorf("encode exception %s: %w", e.ID, err)
	}
	return Event{ID: "exception:" + e.ID + ":" + string(e.State), Type: typ, Carrier: e.Carrier,
		OrderRef: e.OrderRef, At: at, Detected: at, Body: body}, nil
}

// MessageID is the webhook-id of the deliveries of one event to one
// subscription: the same on every retry and every replay, so a receiver
// can drop duplicates.
func MessageID(eventID, subscriptionID string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + subscriptionID))
	return "msg_" + hex.EncodeToString(sum[:16])
}
