package generic

import (
	"strings"
	"testing"

	"github.com/parcelcast/parcelcast/schemas"
)

// The generic feed's status vocabulary is the canonical taxonomy: every
// status of it is read as itself, whatever its case or padding, and a word
// outside it is an error, never unknown.
func TestStatusVocabulary(t *testing.T) {
	for _, st := range schemas.Statuses {
		for _, written := range []string{string(st), strings.ToUpper(string(st)), " " + string(st) + " "} {
			s := Scan{TrackingNumber: "LX40012345678", Carrier: "lasership", Status: written, EventTime: "2026-06-02T15:10:00-04:00"}
			e, err := s.Event()
			if err != nil || e.Status != st {
				t.Errorf("status %q: got %q, %v; want %s", written, e.Status, err, st)
			}
		}
	}
	for _, bad := range []string{"in transit", "delivered_to_neighbour", "Zugestellt"} {
		s := Scan{TrackingNumber: "LX40012345678", Carrier: "lasership", Status: bad, EventTime: "2026-06-02T15:10:00-04:00"}
		if e, err := s.Event(); err == nil {
			t.Errorf("status %q accepted as %s", bad, e.Status)
		}
	}
}
