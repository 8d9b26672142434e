package carriertest

import (
	"errors"
	"slices"
	"testing"

	"github.com/parcelcast/parcelcast/ingest/carrier"
)

// ReplyCodes checks how parse reads a carrier's error replies, one reply
// per code of the carrier's published table and per code of unpublished
// (codes the carrier does not publish): reply(code) is the carrier's error
// body with that code. A
// not-found code yields no event and no error; any other code is a
// *carrier.ReplyError of carrierName with that code, published or not,
// that dead-letters the record. It returns the table's codes, sorted, for
// Documented.
func ReplyCodes(t *testing.T, parse carrier.ParseFunc, carrierName string, codes carrier.ReplyCodes, unpublished []string, reply func(code string) []byte) []string {
	t.Helper()
	var published []string
	for c := range codes {
		published = append(published, c)
	}
	slices.Sort(published)
	if len(unpublished) == 0 {
		t.Fatal("no unpublished codes to try")
	}
	for _, code := range append(slices.Clone(published), unpublished...) {
		class, isPublished := codes[code]
		events, err := parse(reply(code))
		Check(t, events, err)
		if len(events) > 0 {
			t.Errorf("code %s: %d events from an error reply", code, len(events))
		}
		if class == carrier.ReplyNotFound {
			if err != nil {
				t.Errorf("code %s (not found): error %v, want none", code, err)
			}
			continue
		}
		var re *carrier.ReplyError
		switch {
		case !errors.As(err, &re):
			t.Errorf("code %s (%v): error %v, want a carrier error reply", code, class, err)
		case re.Code != code || re.Carrier != carrierName || re.Published != isPublished || re.Kept:
			t.Errorf("code %s: %+v, want carrier %s, published %v, not kept", code, re, carrierName, isPublished)
		case !carrier.DeadLetters(err):
			t.Errorf("code %s: %v does not dead-letter the record", code, err)
		case isPublished && re.Label() != code:
			t.Errorf("code %s: label %q", code, re.Label())
		case !isPublished && re.Label() != carrier.OtherCode:
			t.Errorf("unpublished code %s: label %q, want %q", code, re.Label(), carrier.OtherCode)
		}
	}
	return published
}
