package ingest

import (
	"strings"

	"github.com/parcelcast/parcelcast/schemas"
)

// eventStrings lists the string fields of an event that may point into
// the payload it was parsed from.
func eventStrings(e *schemas.ScanEvent) [21]*string {
	return [...]*string{&e.EventID, &e.TrackingNumber, &e.Carrier, &e.Service, (*string)(&e.Status), &e.StatusDetail,
		&e.CarrierCode, &e.Description, &e.Mode,
		&e.Location.City, &e.Location.Region, &e.Location.PostalCode, &e.Location.Country,
		&e.Origin.City, &e.Origin.Region, &e.Origin.PostalCode, &e.Origin.Country,
		&e.Destination.City, &e.Destination.Region, &e.Destination.PostalCode, &e.Destination.Country}
}

// detach copies an event's strings into one allocation of their own. The
// JSON decoder's strings point into its copy of the whole payload, so an
// event waiting for its batch kept its record's payload alive, several
// times the event's own size; detached, a batch holds what it stores.
func detach(e *schemas.ScanEvent) {
	fields := eventStrings(e)
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all, off := b.String(), 0
	for _, f := range fields {
		l := len(*f)
		*f = all[off : off+l]
		off += l
	}
}
