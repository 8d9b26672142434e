package predict

import (
	"context"
	"time"

	"github.com/parcelcast/parcelcast/model"
	"github.com/parcelcast/parcelcast/schemas"
)

// Shipment is what is known of one shipment: its journey (the lane and
// the scans the model reads), each scan's full detail for the timeline,
// and the references that tie it to an order and a customer.
type Shipment struct {
	model.Journey
	// Mode is the mode of transport of the latest scan that names one
	// (ground, air, …), empty when none does.
	Mode string
	// Timeline is every scan in full, in the order of Journey.Scans.
	Timeline []TimelineScan
	References
	// UpdatedAt is when the newest of the shipment's scans was ingested.
	UpdatedAt time.Time
}

// TimelineScan is one scan as the timeline shows it.
type TimelineScan struct {
	EventID string
	// Time is the instant in UTC, OffsetMinutes the local offset there.
	Time          time.Time
	OffsetMinutes int
	Status        schemas.Status
	StatusDetail  string
	CarrierCode   string
	Description   string
	Location      schemas.Location
	Mode          string
}

// References tie a shipment to the merchant's order and customer. They
// come from the feed (schemas.ScanEvent.OrderRef, CustomerRef) or from
// PUT /v1/shipments/{tracking_number}/references.
type References struct {
	OrderRef    string
	CustomerRef string
}

// Shipments finds a shipment by tracking number: the live state in
// memory, falling back to the database for a number it does not hold.
type Shipments interface {
	// Shipment returns the latest shipment under the number (a reused
	// number has several), or false if there is none.
	Shipment(ctx context.Context, trackingNumber string) (Shipment, bool, error)
}

// Orders lists the shipments of an order and of a customer.
type Orders interface {
	// ByOrder returns every shipment carrying the order reference.
	ByOrder(ctx context.Context, orderRef string) ([]Shipment, error)
	// ByCustomer returns up to limit of the customer's shipments, those in
	// flight first, then the newest; after is the cursor a previous page
	// returned ("" for the first page), and the cursor of the next page is
	// returned, "" after the last.
	ByCustomer(ctx context.Context, customerRef, after string, limit int) ([]Shipment, string, error)
}
