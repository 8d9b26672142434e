package predict

import (
	"slices"

	"github.com/parcelcast/parcelcast/schemas"
)

// ShipmentExceptions gives the exceptions of a shipment for its view.
type ShipmentExceptions interface {
	// ExceptionsOf returns the open and resolved exceptions under a
	// tracking number, oldest first.
	ExceptionsOf(trackingNumber string) []schemas.Exception
}

// ExceptionList lists exceptions for support: GET /v1/exceptions.
type ExceptionList interface {
	// ListExceptions returns up to q.Limit exceptions matching q in id
	// order after q.After, and the cursor of the next page ("" after the
	// last).
	ListExceptions(q ExceptionQuery) ([]schemas.Exception, string)
}

// ExceptionQuery selects exceptions: empty fields match every value.
type ExceptionQuery struct {
	Type    string
	Carrier string
	State   schemas.ExceptionState
	Limit   int
	// After is the cursor a previous page returned.
	After string
}

// Matches reports whether e is selected by q (the cursor aside).
func (q ExceptionQuery) Matches(e *schemas.Exception) bool {
	return (q.Type == "" || e.Type == q.Type) && (q.Carrier == "" || e.Carrier == q.Carrier) &&
		(q.State == "" || e.State == q.State)
}

// ExceptionTypes are the types of exception the scanner finds.
var ExceptionTypes = []string{"stalled", "late", "delivery_failed", "returned", "customs_hold", "address_issue",
	"carrier_exception", "lost"}

// ValidExceptionType reports whether t is one of ExceptionTypes.
func ValidExceptionType(t string) bool { return slices.Contains(ExceptionTypes, t) }
