package carriertest

import (
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
	"github.com/parcelcast/parcelcast/schemas"
)

// LocalTime is what a time-zone test expects of one event: the UTC
// offset it was read at, whether that offset came from a zone rather than
// from the carrier (inferred), and whether the zone was borrowed from
// another place of the shipment (approximate).
type LocalTime struct {
	Offset                int
	Inferred, Approximate bool
}

// ParseEach parses payload, a feed's reply marshalled as JSON when it is
// not already bytes, and fails the test unless it gives n events.
func ParseEach(t *testing.T, parse carrier.ParseFunc, payload any, n int) []schemas.ScanEvent {
	t.Helper()
	b, ok := payload.([]byte)
	if !ok {
		var err error
		if b, err = carrier.MarshalJSON(payload); err != nil {
			t.Fatal(err)
		}
	}
	events, err := parse(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if len(events) != n {
		t.Fatalf("%d events, want %d", len(events), n)
	}
	return events
}

// CheckLocalTime fails the test unless e was read as want says.
func CheckLocalTime(t *testing.T, e schemas.ScanEvent, want LocalTime) {
	t.Helper()
	got := LocalTime{Offset: e.UTCOffsetMinutes, Inferred: e.OffsetInferred, Approximate: e.OffsetApproximate}
	if got != want {
		t.Errorf("%s at %+v: read as %+v, want %+v", e.Description, e.Location, got, want)
	}
}
