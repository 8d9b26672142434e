package carrier

import "github.com/parcelcast/parcelcast/schemas"

// ParseFunc turns one feed record into canonical events. It may return
// valid events and an error together: the events are kept and the record
// is also dead-lettered with the error as reason.
type ParseFunc func(value []byte) ([]schemas.ScanEvent, error)

// EncodeFunc writes the events of one shipment as one payload in a
// carrier's format: what the simulator publishes, and what the format's
// ParseFunc reads back.
type EncodeFunc func(events []schemas.ScanEvent) ([]byte, error)

// AppendFunc appends the payload of one event to dst: the same bytes as
// the EncodeFunc of that one event, without a buffer of its own.
type AppendFunc func(dst []byte, e *schemas.ScanEvent) []byte

// Format is one feed format: what ingest parses a topic with, what the
// simulator publishes a carrier's scans in, and what the tools name with
// -carrier. Each adapter package exports one, named Format.
type Format struct {
	// Name is the feed's name in topic=feed pairs, topic names and
	// lookups; it is also the adapter's folder under ingest/carrier.
	Name   string
	Parse  ParseFunc
	Encode EncodeFunc
	// AppendOne is optional: an encoder of single events for the
	// simulator, which writes one record per scan.
	AppendOne AppendFunc
	// Carriers are the carriers whose scans the simulator publishes in
	// this format; none for a format no carrier of the simulator sends.
	Carriers []string
}
